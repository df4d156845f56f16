"""Two-factor sign-in endpoints: parse, call accounts.mfa.services, render (API.md "Two-factor
sign-in for staff")."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication

from ..mfa import services as mfa
from ..serializers import (
    AuthResponseSerializer,
    MfaConfirmInputSerializer,
    MfaDisableInputSerializer,
    MfaSetupInputSerializer,
    MfaSetupOutputSerializer,
    MfaVerifyInputSerializer,
    RecoveryCodesSerializer,
)
from .api import PublicAuthView, auth_response

STAFF_ONLY = "Staff only: customers get 403."
REFUSED_TICKET = OpenApiResponse(description="No token, or an expired, used or unsuitable `mfa_token`")


def _bad_ticket(error: Exception) -> AuthenticationFailed:
    return AuthenticationFailed(str(error), code="mfa_token_invalid")


class _StaffOrSetupTicketView(APIView):
    """Setup and confirm: a signed-in staff member (Bearer token), or, with STAFF_REQUIRE_2FA,
    the `mfa_token` the login gave a staff member who has no second factor yet."""

    permission_classes = (AllowAny,)

    def get_authenticate_header(self, request) -> str:
        return JWTAuthentication().authenticate_header(request)

    def _user(self, request, data: dict) -> tuple[object, bool]:
        """(the user, whether they came with a setup ticket)."""
        ticket = data.get("mfa_token")
        if ticket:
            try:
                return mfa.mfa_token_user(mfa_token=ticket), True
            except mfa.InvalidMfaToken as error:
                raise _bad_ticket(error) from None
        if not request.user.is_authenticated:
            raise NotAuthenticated
        if not request.user.is_staff:
            raise PermissionDenied(STAFF_ONLY)
        return request.user, False


class MfaSetupView(_StaffOrSetupTicketView):
    @extend_schema(
        tags=["auth"],
        request=MfaSetupInputSerializer,
        responses={
            200: MfaSetupOutputSerializer,
            401: REFUSED_TICKET,
            403: OpenApiResponse(description=STAFF_ONLY),
            409: OpenApiResponse(description="Two-factor sign-in is already on"),
            429: OpenApiResponse(description="Too many failed attempts"),
        },
        summary="Start setting up two-factor sign-in (staff)",
        description="Nothing is on until confirmed; a second setup replaces an unconfirmed one. "
        "Signed in, send `current_password` (it counts against the sign-in budgets); with "
        "STAFF_REQUIRE_2FA, the `mfa_token` from the login answer instead.",
    )
    def post(self, request):
        serializer = MfaSetupInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user, proven = self._user(request, data)
        setup = mfa.mfa_setup(user=user, current_password=data.get("current_password"), proven=proven)
        return Response(MfaSetupOutputSerializer(setup).data)


class MfaConfirmView(_StaffOrSetupTicketView):
    @extend_schema(
        tags=["auth"],
        request=MfaConfirmInputSerializer,
        responses={
            200: RecoveryCodesSerializer,
            400: OpenApiResponse(description="Wrong code, or no setup started"),
            401: REFUSED_TICKET,
            403: OpenApiResponse(description=STAFF_ONLY),
            409: OpenApiResponse(description="Two-factor sign-in is already on"),
        },
        summary="Turn two-factor sign-in on with a code from the app (staff)",
        description="Answers the 10 recovery codes, shown this once (stored hashed). Tokens and "
        "admin sessions from before end: sign in again, with a code.",
    )
    def post(self, request):
        serializer = MfaConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, _ = self._user(request, serializer.validated_data)
        codes = mfa.mfa_confirm(user=user, code=serializer.validated_data["code"])
        return Response({"recovery_codes": codes})


class MfaVerifyView(PublicAuthView):
    @extend_schema(
        tags=["auth"],
        request=MfaVerifyInputSerializer,
        responses={
            200: AuthResponseSerializer,
            401: OpenApiResponse(description="Wrong or used code, or an expired or used `mfa_token`"),
            429: OpenApiResponse(description="Too many failed attempts"),
        },
        summary="Second step of a sign-in: a code or a recovery code",
        description="Wrong codes count against the login budgets (per account and per IP) and are "
        "audited (`mfa_failed`). An `mfa_token` serves one successful verify; a recovery code "
        "works once.",
    )
    def post(self, request):
        serializer = MfaVerifyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = mfa.mfa_verify(**serializer.validated_data)
        except mfa.InvalidMfaToken as error:
            raise _bad_ticket(error) from None
        except mfa.InvalidCode:
            raise AuthenticationFailed("The code is not correct.", code="mfa_code_invalid") from None
        return auth_response(user, status_code=status.HTTP_200_OK)


class MfaDisableView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["auth"],
        request=MfaDisableInputSerializer,
        responses={
            204: None,
            400: OpenApiResponse(description="Wrong password or code"),
            403: OpenApiResponse(description=STAFF_ONLY),
            429: OpenApiResponse(description="Too many failed attempts"),
        },
        summary="Turn your two-factor sign-in off (staff)",
        description="Needs the password and a current code. Tokens issued before end.",
    )
    def post(self, request):
        if not request.user.is_staff:
            raise PermissionDenied(STAFF_ONLY)
        serializer = MfaDisableInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        mfa.mfa_disable(user=request.user, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
