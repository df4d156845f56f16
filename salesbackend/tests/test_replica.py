"""The read side on a streaming replica (salesbackend/replica.py), against a real standby: CI
makes one with `scripts/replica_standby.sh start` and sets REPLICA_DATABASE_URL to it."""

import time
from decimal import Decimal

import pytest
from django.db import OperationalError, connections, transaction
from django.test.utils import CaptureQueriesContext

from catalog.tests.factories import ProductFactory
from orders.models import Order, OrderStatus
from orders.services import order_set_status
from orders.tests.factories import place_order
from salesbackend import replica

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.replica,
    pytest.mark.skipif(
        not replica.replica_configured(), reason="needs REPLICA_DATABASE_URL (a standby: .ci/run makes one)"
    ),
    # The standby replays committed rows only.
    pytest.mark.django_db(transaction=True, databases=["default", replica.REPLICA]),
]

SUMMARY = "/api/v1/analytics/summary/?period=today"


@pytest.fixture(autouse=True)
def _fresh_view_of_the_replica(monkeypatch):
    """Each test starts with no remembered replay position and no back-off."""
    monkeypatch.setattr(replica, "_replay", (0.0, None))
    monkeypatch.setattr(replica, "_down_until", 0.0)


@pytest.fixture
def paid_order(customer, salesperson):
    with transaction.atomic():  # stock_create locks the new stock row
        product = ProductFactory(price=Decimal("40.00"), cost_price=Decimal("10.00"), stock=10)
    order = place_order(customer=customer, products={product: 2})
    order_set_status(order=order, to_status=OrderStatus.PAID, actor=salesperson)
    return order


def _replica_caught_up(timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not replica.replica_fresh():
        assert time.monotonic() < deadline, "the standby did not replay the last sale in time"
        time.sleep(0.05)


def test_analytics_read_from_the_replica_once_it_replayed_the_last_sale(paid_order, ceo_client):
    _replica_caught_up()

    with CaptureQueriesContext(connections[replica.REPLICA]) as on_replica:
        response = ceo_client.get(SUMMARY)

    assert response.status_code == 200
    assert response.json()["revenue"] == str(paid_order.subtotal)
    assert any("orders_daily" in query["sql"] for query in on_replica.captured_queries)
    assert ceo_client.get("/healthz").json()["replica"] == "ok"


def test_a_replica_behind_the_last_sale_is_not_read(paid_order, ceo_client, django_assert_num_queries):
    _replica_caught_up()
    replica.cache.set(replica.LEDGER_LSN_KEY, 2**62)  # a sale the replica has not replayed

    with CaptureQueriesContext(connections[replica.REPLICA]) as on_replica:
        response = ceo_client.get(SUMMARY)

    assert response.status_code == 200
    assert response.json()["revenue"] == str(paid_order.subtotal)
    assert not [q for q in on_replica.captured_queries if "orders_" in q["sql"]]
    assert ceo_client.get("/healthz").json() | {"replica": "lagging"} == ceo_client.get("/healthz").json()


def test_writes_transactions_and_migrations_stay_on_the_primary(paid_order):
    _replica_caught_up()
    router = replica.ReplicaRouter()

    with replica.read_side():
        assert router.db_for_read(Order) == replica.REPLICA
        assert router.db_for_write(Order) is None
        with transaction.atomic():  # a transaction reads its own writes
            assert router.db_for_read(Order) is None
    assert router.db_for_read(Order) is None  # not the read side
    assert router.allow_migrate(replica.REPLICA, "orders") is False
    with pytest.raises(AssertionError, match="write sent to the replica"):
        connections[replica.REPLICA].cursor().execute("UPDATE orders_order SET note = 'x'")


def test_a_replica_that_refuses_connections_is_skipped_with_a_back_off(paid_order, ceo_client, monkeypatch):
    connection = connections[replica.REPLICA]
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "PORT", "1")  # nothing listens there
    attempts = []
    connect = connection.connect
    monkeypatch.setattr(connection, "connect", lambda: attempts.append(1) or connect())

    first = ceo_client.get(SUMMARY)
    second = ceo_client.get(SUMMARY)
    health = ceo_client.get("/healthz")

    assert first.status_code == second.status_code == health.status_code == 200
    assert first.json()["revenue"] == second.json()["revenue"] == str(paid_order.subtotal)
    assert health.json()["replica"] == "down"
    assert len(attempts) == 1  # then left alone for REPLICA_RETRY_SECONDS
    connection.close()


def test_a_replica_query_that_fails_runs_again_on_the_primary(paid_order, ceo_client, monkeypatch):
    """A long report cancelled by a replication conflict (or a replica gone mid-request)."""
    _replica_caught_up()

    noting = replica._note_failure

    def cancelled(execute, sql, params, many, context):
        def cancelled_execute(*args):
            if "orders_" in sql:
                raise OperationalError("canceling statement due to conflict with recovery")
            return execute(*args)

        return noting(cancelled_execute, sql, params, many, context)

    monkeypatch.setattr(replica, "_note_failure", cancelled)
    response = ceo_client.get(SUMMARY)

    assert response.status_code == 200
    assert response.json()["revenue"] == str(paid_order.subtotal)


def test_with_replay_paused_a_sale_shows_at_once_from_the_primary_then_from_the_replica(
    customer, salesperson, ceo_client
):
    """The standby stops replaying (as when it falls behind): a payment made meanwhile is in the
    answer at once, from the primary; once it replays again, the replica answers the same."""
    _replica_caught_up()
    standby = connections[replica.REPLICA]
    with standby.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        with transaction.atomic():  # stock_create locks the new stock row
            product = ProductFactory(price=Decimal("25.00"), cost_price=Decimal("5.00"), stock=10)
        order = place_order(customer=customer, products={product: 1})
        order_set_status(order=order, to_status=OrderStatus.PAID, actor=salesperson)
        with CaptureQueriesContext(standby) as paused:
            while_paused = ceo_client.get(SUMMARY)
    finally:
        with standby.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    replica.cache.clear()  # the answer above is cached: ask again
    _replica_caught_up()
    with CaptureQueriesContext(standby) as resumed:
        after = ceo_client.get(SUMMARY)

    assert while_paused.json()["revenue"] == after.json()["revenue"] == str(order.subtotal)
    assert not [q for q in paused.captured_queries if "orders_" in q["sql"]]  # the primary answered
    assert [q for q in resumed.captured_queries if "orders_" in q["sql"]]  # the replica answered
