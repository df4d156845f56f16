"""The alerts stream, exercised through the ASGI app as a server would run it.

The view reads the database from a worker thread, so the tests commit their data
(`transaction=True`); the ones that need Redis run when REDIS_URL is set (CI sets it).
"""

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from rest_framework_simplejwt.tokens import AccessToken

from catalog.tests.factories import ProductFactory
from conftest import client_for
from inventory import stream
from orders.services import order_place
from orders.tests.factories import ADDRESS
from salesbackend.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)
needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="the alerts stream needs REDIS_URL")

PATH = "/api/v1/alerts/stream/"


def _scope(user=None, method: str = "GET") -> dict:
    headers = [(b"host", b"testserver")]
    if user is not None:
        headers.append((b"authorization", f"Bearer {AccessToken.for_user(user)}".encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


class Stream:
    """One client of the ASGI app: the response head, then body chunks as they arrive."""

    def __init__(self, scope: dict):
        self.app = ApplicationCommunicator(application, scope)

    async def open(self) -> tuple[int, dict[str, str]]:
        await self.app.send_input({"type": "http.request", "body": b"", "more_body": False})
        start = await self.app.receive_output(timeout=5)
        return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}

    async def chunk(self, timeout: float = 5) -> tuple[str, bool]:
        message = await self.app.receive_output(timeout=timeout)
        return message.get("body", b"").decode(), message.get("more_body", False)

    async def event(self, name: str, timeout: float = 5) -> dict:
        """The data of the next event called `name` (other alerts may come first)."""
        async with asyncio.timeout(timeout):
            while True:
                body, _ = await self.chunk(timeout)
                lines = dict(line.split(": ", 1) for line in body.strip().splitlines() if ": " in line)
                if lines.get("event") == name:
                    return json.loads(lines["data"])

    async def close(self) -> None:
        await self.app.send_input({"type": "http.disconnect"})
        await self.app.wait(timeout=5)


async def _subscribers() -> int:
    from redis.asyncio import Redis

    client = Redis.from_url(settings.REDIS_URL)
    try:
        [(_, count)] = await client.pubsub_numsub(stream.alerts_channel())
        return count
    finally:
        await client.aclose()


@needs_redis
def test_staff_receive_an_order_placed_after_connecting(salesperson, customer):
    product = ProductFactory(stock=5)

    async def scenario():
        subscribers_before = await _subscribers()
        client = Stream(_scope(salesperson))
        status, headers = await client.open()
        first, more = await client.chunk()
        assert await _subscribers() == subscribers_before + 1

        placement = await sync_to_async(order_place)(
            customer=customer,
            actor=customer,
            lines=[{"product": product.pk, "quantity": 2}],
            shipping_address=ADDRESS,
        )
        alert = await client.event("order_placed")
        await client.close()
        return status, headers, first, more, placement.order, alert, subscribers_before

    status, headers, first, more, order, alert, subscribers_before = async_to_sync(scenario)()

    assert status == 200
    assert headers["content-type"] == "text/event-stream"
    # Never cached, and (a personal answer under /api/v1/) never stored either.
    assert {part.strip() for part in headers["cache-control"].split(",")} >= {"no-cache", "no-store"}
    assert headers["x-accel-buffering"] == "no"
    assert 'data: {"status": "connected"}\n\n' in first
    assert more is True
    assert alert["number"] == order.number
    assert alert["items"] == 2
    # the client went away: its subscription is gone too
    assert async_to_sync(_subscribers)() == subscribers_before


def test_anonymous_gets_401_json_and_no_stream():
    async def scenario():
        client = Stream(_scope(None))
        status, headers = await client.open()
        body, more = await client.chunk()
        return status, headers, body, more

    status, headers, body, more = async_to_sync(scenario)()

    assert status == 401
    assert headers["www-authenticate"].startswith("Bearer")
    assert json.loads(body) == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }
    assert more is False


def test_an_invalid_token_gets_401():
    scope = _scope(None)
    scope["headers"].append((b"authorization", b"Bearer not-a-token"))

    async def scenario():
        client = Stream(scope)
        status, _ = await client.open()
        body, _ = await client.chunk()
        return status, body

    status, body = async_to_sync(scenario)()

    assert status == 401
    assert json.loads(body)["code"] == "token_not_valid"


def test_customers_get_403_json_and_no_stream(customer):
    async def scenario():
        client = Stream(_scope(customer))
        status, _ = await client.open()
        body, more = await client.chunk()
        return status, body, more

    status, body, more = async_to_sync(scenario)()

    assert status == 403
    assert json.loads(body)["code"] == "permission_denied"
    assert more is False


def test_only_get_is_allowed(ceo):
    async def scenario():
        client = Stream(_scope(ceo, method="POST"))
        status, headers = await client.open()
        body, _ = await client.chunk()
        return status, headers, body

    status, headers, body = async_to_sync(scenario)()

    assert status == 405
    assert headers["allow"] == "GET"
    assert json.loads(body)["code"] == "method_not_allowed"


def test_without_redis_the_stream_connects_and_keeps_alive(ceo, settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setattr(stream, "KEEPALIVE_SECONDS", 0.05)

    async def scenario():
        client = Stream(_scope(ceo))
        status, _ = await client.open()
        first, _ = await client.chunk()
        second, _ = await client.chunk()
        await client.close()
        return status, first, second

    status, first, second = async_to_sync(scenario)()

    assert status == 200
    assert 'data: {"status": "connected"}' in first
    assert second == stream.KEEPALIVE


def test_a_wsgi_server_is_told_to_use_asgi_instead_of_hanging(ceo):
    response = client_for(ceo).get(PATH)

    assert response.status_code == 503
    assert response.json()["code"] == "asgi_required"


def test_each_deployment_listens_on_its_own_alert_channel(monkeypatch):
    """Redis pub/sub ignores database numbers: two shops on one Redis server must not read (or
    inject into) each other's stream, so the channel names the deployment's database."""
    ours = stream.alerts_channel()
    monkeypatch.setitem(settings.DATABASES["default"], "NAME", "another_shop")

    theirs = stream.alerts_channel()

    assert theirs != ours
    assert "another_shop" in theirs and theirs.startswith("salesbackend:alerts:")
