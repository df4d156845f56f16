"""What one client can hold of the alert stream: access re-checked at every keep-alive, a cap
of open streams per user, a maximum lifetime, and one Redis subscription per process."""

import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from accounts import services as accounts_services
from inventory import stream
from inventory.tests.test_stream import Stream, _scope, _subscribers, needs_redis

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fast_keepalives(monkeypatch):
    monkeypatch.setattr(stream, "KEEPALIVE_SECONDS", 0.05)


def _events_until_closed(client: Stream) -> list[str]:
    async def read():
        bodies = []
        while True:
            body, more = await client.chunk()
            bodies.append(body)
            if not more:
                return bodies

    return read


def _events(bodies: list[str]) -> list[tuple[str, dict]]:
    found = []
    for body in bodies:
        lines = dict(line.split(": ", 1) for line in body.strip().splitlines() if ": " in line)
        if "event" in lines:
            found.append((lines["event"], json.loads(lines["data"])))
    return found


def test_a_banned_salesperson_loses_the_stream_at_the_next_keepalive(salesperson, ceo, fast_keepalives):
    async def scenario():
        client = Stream(_scope(salesperson))
        status, _ = await client.open()
        await client.chunk()  # connected
        await sync_to_async(accounts_services.user_update)(
            user=salesperson, actor=ceo, data={"is_active": False}
        )
        bodies = await _events_until_closed(client)()
        return status, bodies

    status, bodies = async_to_sync(scenario)()

    assert status == 200
    assert _events(bodies)[-1] == (
        "error",
        {"detail": "Your access to alerts has ended.", "code": "access_revoked"},
    )


def test_losing_the_role_ends_the_stream_too(salesperson, ceo, fast_keepalives):
    async def scenario():
        client = Stream(_scope(salesperson))
        await client.open()
        await client.chunk()
        await sync_to_async(accounts_services.user_update)(
            user=salesperson, actor=ceo, data={"role": "customer"}
        )
        return await _events_until_closed(client)()

    assert _events(async_to_sync(scenario)())[-1][1]["code"] == "access_revoked"


def test_open_streams_per_user_are_capped(ceo, settings, fast_keepalives):
    settings.ALERTS_STREAMS_PER_USER = 2

    async def scenario():
        first, second, third = (Stream(_scope(ceo)) for _ in range(3))
        statuses = [(await first.open())[0], (await second.open())[0], (await third.open())[0]]
        refusal, _ = await third.chunk()
        await first.close()
        fourth = Stream(_scope(ceo))
        statuses.append((await fourth.open())[0])
        await second.close()
        await fourth.close()
        return statuses, refusal

    statuses, refusal = async_to_sync(scenario)()

    assert statuses == [200, 200, 429, 200]
    assert json.loads(refusal)["code"] == "throttled"


def test_a_stream_ends_after_its_maximum_lifetime_and_says_reconnect(ceo, settings, fast_keepalives):
    settings.ALERTS_STREAM_MAX_SECONDS = 0.3

    async def scenario():
        client = Stream(_scope(ceo))
        await client.open()
        return await _events_until_closed(client)()

    bodies = async_to_sync(scenario)()

    assert "retry: " in bodies[0]
    assert _events(bodies)[-1][0] == "end"
    assert _events(bodies)[-1][1]["code"] == "reconnect"


@needs_redis
def test_every_stream_of_a_process_shares_one_redis_subscription(ceo, salesperson):
    async def scenario():
        before = await _subscribers()
        clients = [Stream(_scope(user)) for user in (ceo, ceo, salesperson)]
        for client in clients:
            await client.open()
            await client.chunk()
        during = await _subscribers()
        for client in clients:
            await client.close()
        return before, during, await _subscribers()

    before, during, after = async_to_sync(scenario)()

    assert during == before + 1
    assert after == before
