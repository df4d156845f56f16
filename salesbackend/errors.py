"""JSON errors for everything under /api/: DRF exceptions, unknown paths and crashes."""

import logging

from django.core.exceptions import DisallowedHost, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .exceptions import ApplicationError, TooManyAttempts

logger = logging.getLogger(__name__)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The upload is too large."
    default_code = "too_large"


def api_exception_handler(exc, context):
    """DRF's handler, with every non-field error shaped as {"detail", "code"}."""
    if isinstance(exc, ApplicationError):
        response = Response({"detail": exc.message, "code": exc.code, **exc.extra}, status=exc.status_code)
        if isinstance(exc, TooManyAttempts):
            response["Retry-After"] = str(exc.wait)
        return response
    if isinstance(exc, IntegrityError):
        # Services check uniqueness first; a concurrent request can still win the race to
        # the unique index. The transaction is rolled back, so nothing is half-written.
        logger.warning("Integrity error on %s: %s", context["request"].path, exc)
        detail = "The request conflicts with data written at the same time; retry it."
        return Response({"detail": detail, "code": "conflict"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(response.data, list):
            response.data = {"non_field_errors": response.data}
        return response
    if isinstance(exc, exceptions.APIException):
        detail = exc.detail
        code = detail.code if hasattr(detail, "code") else exc.default_code
        if isinstance(detail, dict | list):
            # simplejwt carries its code as a value: {"detail": ..., "code": "user_inactive", ...}
            code = detail.get("code", exc.default_code) if isinstance(detail, dict) else exc.default_code
            message = detail.get("detail", exc.default_detail) if isinstance(detail, dict) else detail
        else:
            message = detail
        response.data = {"detail": str(message), "code": str(code)}
    elif isinstance(exc, Http404):
        response.data = {"detail": "Not found.", "code": "not_found"}
    else:
        response.data = {"detail": "Permission denied.", "code": "permission_denied"}
    return response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


@csrf_exempt  # a POST to an unknown path is a 404, not a CSRF failure page
def api_not_found(request, *args, **kwargs):
    """Catch-all for unknown /api/ paths, so they answer JSON even with DEBUG on."""
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)


class JSONErrorMiddleware:
    """Turns an unhandled exception under /api/ into a JSON 500 without a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not _is_api(request):
            return None
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse({"detail": PayloadTooLarge.default_detail, "code": "too_large"}, status=413)
        if isinstance(exception, SuspiciousOperation):
            # Django answers these with 400, e.g. too many form fields
            return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=400)
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return JsonResponse({"detail": "A server error occurred.", "code": "server_error"}, status=500)


class APIHostMiddleware:
    """First in MIDDLEWARE: a disallowed Host header on an /api/ path answers JSON 400, before
    Django's own check (in CommonMiddleware) would answer with an HTML page (a debug page with
    DEBUG on)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _is_api(request):
            try:
                request.get_host()
            except DisallowedHost:
                logger.warning("Disallowed Host header on %s", request.path)
                return JsonResponse(
                    {"detail": "Bad request: unknown host.", "code": "bad_request"}, status=400
                )
        return self.get_response(request)


def handler400(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=400)
    from django.views.defaults import bad_request

    return bad_request(request, exception)


def handler403(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Permission denied.", "code": "permission_denied"}, status=403)
    from django.views.defaults import permission_denied

    return permission_denied(request, exception)


def handler404(request, exception=None):
    if _is_api(request):
        return api_not_found(request)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request):
    if _is_api(request):
        return JsonResponse({"detail": "A server error occurred.", "code": "server_error"}, status=500)
    from django.views.defaults import server_error

    return server_error(request)
