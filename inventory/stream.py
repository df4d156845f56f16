"""GET /api/v1/alerts/stream/: live `low_stock` and `order_placed` alerts as Server-Sent Events.

An async view served by the ASGI app: each connected client is one coroutine waiting on
its Redis pub/sub subscription (redis.asyncio), never a thread and never a polling loop.
DRF views are synchronous, so the JWT is checked here with DRF's own authentication class
(in a worker thread, since it reads the database) and errors keep the API's JSON shape.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from redis.asyncio import Redis
from redis.exceptions import RedisError
from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication

from salesbackend.errors import api_exception_handler

from .events import ALERTS_CHANNEL

logger = logging.getLogger(__name__)

REQUIRED_PERMISSION = "inventory.manage_stock"
# A comment line now and then keeps proxies and load balancers from closing an idle stream.
KEEPALIVE_SECONDS = 15.0
KEEPALIVE = ": keep-alive\n\n"
# How long a browser's EventSource waits before reconnecting after the stream ends.
RETRY_MILLISECONDS = 5000


def _sse(data: Any, event: str | None = None) -> str:
    """One Server-Sent Event; JSON has no raw newlines, so `data` is always a single line."""
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data, cls=DjangoJSONEncoder)}\n\n"


def _error_response(exc: exceptions.APIException, request: HttpRequest) -> JsonResponse:
    handled = api_exception_handler(exc, {})
    response = JsonResponse(handled.data, status=handled.status_code)
    if response.status_code == 401:
        response["WWW-Authenticate"] = JWTAuthentication().authenticate_header(request)
    return response


def _refusal(request: HttpRequest) -> JsonResponse | None:
    """The error response for a request without a valid JWT of a user who manages stock."""
    try:
        authenticated = JWTAuthentication().authenticate(request)
        if authenticated is None:
            raise exceptions.NotAuthenticated()
        user, _ = authenticated
        if not user.has_perm(REQUIRED_PERMISSION):
            raise exceptions.PermissionDenied()
    except exceptions.APIException as exc:
        return _error_response(exc, request)
    return None


@csrf_exempt  # authenticated by a bearer token, never a cookie, like every DRF view
async def alerts_stream(request: HttpRequest) -> HttpResponse:
    refusal = await sync_to_async(_refusal)(request)
    if refusal is not None:
        return refusal
    if request.method != "GET":
        response = _error_response(exceptions.MethodNotAllowed(request.method), request)
        response["Allow"] = "GET"
        return response
    if not isinstance(request, ASGIRequest):
        # A WSGI server would buffer this endless stream in a worker thread for ever.
        return JsonResponse(
            {"detail": "The alert stream needs the ASGI server (make run).", "code": "asgi_required"},
            status=503,
        )
    events = _redis_events() if settings.REDIS_URL else _keepalives_only()
    response = StreamingHttpResponse(events, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events through as they come
    return response


def _connected() -> str:
    return f"retry: {RETRY_MILLISECONDS}\n" + _sse({"status": "connected"})


async def _keepalives_only() -> AsyncIterator[str]:
    """Without Redis nothing is published; the stream stays open and says so."""
    yield _connected()
    while True:
        await asyncio.sleep(KEEPALIVE_SECONDS)
        yield KEEPALIVE


async def _redis_events() -> AsyncIterator[str]:
    """Alerts from the Redis channel until the client goes away.

    Subscribed before "connected" is sent, so a client that has seen "connected" gets every
    alert published after it. On disconnect Django cancels this coroutine and the `finally`
    unsubscribes and closes the connection.
    """
    client = Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    try:
        await pubsub.subscribe(ALERTS_CHANNEL)
        yield _connected()
        loop = asyncio.get_running_loop()
        quiet_since = loop.time()
        while True:
            message = await pubsub.get_message(timeout=KEEPALIVE_SECONDS)
            if message is not None:
                alert = _alert(message["data"])
                if alert is not None:
                    yield alert
                    quiet_since = loop.time()
            elif loop.time() - quiet_since >= KEEPALIVE_SECONDS:
                yield KEEPALIVE
                quiet_since = loop.time()
    except RedisError:
        logger.warning("Alert stream lost Redis; the client will reconnect", exc_info=True)
        yield _sse(
            {"detail": "Live alerts are unavailable right now.", "code": "alerts_unavailable"}, "error"
        )
    finally:
        await pubsub.aclose()
        await client.aclose()


def _alert(payload: bytes) -> str | None:
    """The SSE form of a message published by `inventory.events.publish`."""
    try:
        message = json.loads(payload)
        return _sse(message["data"], message["event"])
    except (ValueError, TypeError, KeyError):
        logger.warning("Ignoring a malformed alert: %r", payload)
        return None
