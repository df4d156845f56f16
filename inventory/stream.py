"""GET /api/v1/alerts/stream/: live `low_stock` and `order_placed` alerts as Server-Sent Events.

An async view served by the ASGI app: each connected client is one coroutine waiting on a
queue, never a thread and never a polling loop. One Redis subscription per process (an
`_AlertHub` per event loop) feeds every open stream. DRF views are synchronous, so the JWT is
checked here with the API's authentication class (in a worker thread) and errors keep the
API's JSON shape.

What one client can hold is bounded: at most ALERTS_STREAMS_PER_USER open streams per user
(429 beyond), each for at most ALERTS_STREAM_MAX_SECONDS (then the server ends it and the
browser's EventSource reconnects after `retry`), and the user's access is checked again at
every keep-alive: a banned user, a changed password or a lost role ends the stream.
"""

import asyncio
import contextlib
import json
import logging
import time
import weakref
from collections.abc import AsyncIterator
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.core.handlers.asgi import ASGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from redis.asyncio import Redis
from redis.exceptions import RedisError
from rest_framework import exceptions
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

from accounts.authentication import CachedJWTAuthentication
from salesbackend.errors import api_exception_handler
from salesbackend.events import alerts_channel

logger = logging.getLogger(__name__)

REQUIRED_PERMISSION = "inventory.manage_stock"
# A comment line now and then keeps proxies and load balancers from closing an idle stream.
KEEPALIVE_SECONDS = 15.0
KEEPALIVE = ": keep-alive\n\n"
# How long a browser's EventSource waits before reconnecting after the stream ends.
RETRY_MILLISECONDS = 5000
# Alerts kept for a client that reads slowly; beyond that it misses some rather than grow.
QUEUE_SIZE = 100
REDIS_LOST = object()
UNAVAILABLE = {"detail": "Live alerts are unavailable right now.", "code": "alerts_unavailable"}


def _sse(data: Any, event: str | None = None) -> str:
    """One Server-Sent Event; JSON has no raw newlines, so `data` is always a single line."""
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data, cls=DjangoJSONEncoder)}\n\n"


def _error_response(exc: exceptions.APIException, request: HttpRequest) -> JsonResponse:
    handled = api_exception_handler(exc, {})
    response = JsonResponse(handled.data, status=handled.status_code)
    if response.status_code == 401:
        response["WWW-Authenticate"] = CachedJWTAuthentication().authenticate_header(request)
    return response


def _authenticated(request: HttpRequest) -> Any:
    """The validated token of a user who manages stock; raises the API's errors otherwise."""
    authenticated = CachedJWTAuthentication().authenticate(request)
    if authenticated is None:
        raise exceptions.NotAuthenticated()
    user, token = authenticated
    if not user.has_perm(REQUIRED_PERMISSION):
        raise exceptions.PermissionDenied()
    return token


def _still_allowed(token: Any) -> bool:
    """The token's user is still active, has the same password and may still manage stock
    (from the auth cache: no query while nothing changed)."""
    try:
        return CachedJWTAuthentication().get_user(token).has_perm(REQUIRED_PERMISSION)
    except (AuthenticationFailed, InvalidToken):
        return False


def _open_streams_key(token: Any) -> str:
    return f"alerts:open-streams:{token.get('user_id')}"


def _stream_opened(token: Any) -> bool:
    """Count one more open stream of this user; False (and not counted) past the cap."""
    key = _open_streams_key(token)
    try:
        cache.add(key, 0, timeout=settings.ALERTS_STREAM_MAX_SECONDS + 60)
        if cache.incr(key) <= settings.ALERTS_STREAMS_PER_USER:
            return True
        cache.decr(key)
        return False
    except Exception:  # no cache: no cap, rather than no alerts
        logger.warning("Could not count open alert streams", exc_info=True)
        return True


def _stream_closed(token: Any) -> None:
    with contextlib.suppress(Exception):
        cache.decr(_open_streams_key(token))


@csrf_exempt  # authenticated by a bearer token, never a cookie, like every DRF view
async def alerts_stream(request: HttpRequest) -> HttpResponse:
    try:
        token = await sync_to_async(_authenticated)(request)
    except exceptions.APIException as exc:
        return _error_response(exc, request)
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
    if not await sync_to_async(_stream_opened)(token):
        return _error_response(
            exceptions.Throttled(
                detail=f"At most {settings.ALERTS_STREAMS_PER_USER} alert streams per user are open at once."
            ),
            request,
        )
    response = StreamingHttpResponse(_events(token), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events through as they come
    return response


def _connected() -> str:
    return f"retry: {RETRY_MILLISECONDS}\n" + _sse({"status": "connected"})


class _AlertHub:
    """One Redis subscription for every stream of a process (of one event loop): each open
    stream gets a queue; the subscription starts with the first and ends with the last."""

    def __init__(self) -> None:
        self.queues: set[asyncio.Queue] = set()
        self.task: asyncio.Task | None = None
        self.subscribed = asyncio.Event()

    async def join(self) -> asyncio.Queue:
        """A queue of the alerts published from now on; raises RedisError without Redis."""
        queue: asyncio.Queue = asyncio.Queue(maxsize=QUEUE_SIZE)
        self.queues.add(queue)
        if self.task is None or self.task.done():
            self.subscribed = asyncio.Event()
            self.task = asyncio.create_task(self._listen())
        await self.subscribed.wait()
        if self.task.done() and self.task.exception() is not None:
            self.leave(queue)
            raise RedisError("could not subscribe")
        return queue

    def leave(self, queue: asyncio.Queue) -> None:
        self.queues.discard(queue)
        if not self.queues and self.task is not None:
            self.task.cancel()
            self.task = None

    async def _listen(self) -> None:
        client = Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(alerts_channel())
            self.subscribed.set()
            while True:
                message = await pubsub.get_message(timeout=KEEPALIVE_SECONDS)
                if message is not None:
                    self._publish(message["data"])
        except RedisError:
            logger.warning("Alert streams lost Redis; clients will reconnect", exc_info=True)
            self._publish(REDIS_LOST)
            raise
        finally:
            self.subscribed.set()  # never leave a joining stream waiting
            await pubsub.aclose()
            await client.aclose()

    def _publish(self, data: Any) -> None:
        for queue in list(self.queues):
            with contextlib.suppress(asyncio.QueueFull):  # a stalled client misses alerts, no more
                queue.put_nowait(data)


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _AlertHub]" = weakref.WeakKeyDictionary()


def _hub() -> _AlertHub:
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = _AlertHub()
    return _hubs[loop]


async def _events(token: Any) -> AsyncIterator[str]:
    """Alerts until the client goes away, its access is gone or the stream's lifetime ends.

    Joined before "connected" is sent, so a client that has seen "connected" gets every alert
    published after it. On disconnect Django cancels this coroutine; `finally` leaves the hub.
    """
    queue = None
    try:
        if settings.REDIS_URL:
            try:
                queue = await _hub().join()
            except RedisError:
                yield _sse(UNAVAILABLE, "error")
                return
        yield _connected()
        loop = asyncio.get_running_loop()
        ends_at = loop.time() + settings.ALERTS_STREAM_MAX_SECONDS
        checked_at = loop.time()
        while (left := ends_at - loop.time()) > 0:
            wait = min(KEEPALIVE_SECONDS, left)
            try:
                data = await asyncio.wait_for(queue.get(), wait) if queue else await asyncio.sleep(wait)
            except TimeoutError:
                data = None
            if loop.time() - checked_at >= KEEPALIVE_SECONDS or data is None:
                if not await sync_to_async(_still_allowed)(token):
                    yield _sse(
                        {"detail": "Your access to alerts has ended.", "code": "access_revoked"}, "error"
                    )
                    return
                checked_at = loop.time()
            if data is REDIS_LOST:
                yield _sse(UNAVAILABLE, "error")
                return
            if data is None:
                if loop.time() < ends_at:
                    yield KEEPALIVE
                continue
            alert = _alert(data)
            if alert is not None:
                yield alert
        # The lifetime is over: the browser reconnects after `retry`, with its Last-Event-ID.
        yield _sse(
            {"detail": "This stream has reached its maximum lifetime; reconnect.", "code": "reconnect"}, "end"
        )
    finally:
        if queue is not None:
            _hub().leave(queue)
        await sync_to_async(_stream_closed)(token)


def _alert(payload: bytes) -> str | None:
    """The SSE form of a message published by `salesbackend.events.publish`, with an id."""
    try:
        message = json.loads(payload)
        return f"id: {time.time_ns()}\n" + _sse(message["data"], message["event"])
    except (ValueError, TypeError, KeyError):
        logger.warning("Ignoring a malformed alert: %r", payload)
        return None
