"""Transaction boundaries you can see: the order services own theirs (durable), and the ledger
that runs inside them takes no savepoint of its own."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from catalog.tests.factories import ProductFactory
from orders.ledger.rollups import ROLLUP_SHARDS
from orders.models import OrderStatus, SalesRecord
from orders.services import order_cancel, order_place, order_set_status
from orders.tests.factories import ADDRESS, place_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return ProductFactory(price=Decimal("10.00"), cost_price=Decimal("6.00"), stock=10)


def test_a_durable_service_inside_another_transaction_fails_loudly_and_writes_nothing(
    customer, salesperson, product
):
    order = place_order(customer=customer, products={product: 1})
    entries = AuditEntry.objects.count()

    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        order_set_status(order=order, to_status=OrderStatus.PAID, actor=salesperson)

    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert not SalesRecord.objects.exists()
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize(
    "service",
    [
        lambda order, actor: order_cancel(order=order, actor=actor),
        lambda order, actor: order_place(
            customer=order.customer,
            actor=actor,
            lines=[{"product": order.items.get().product_id, "quantity": 1}],
            shipping_address=ADDRESS,
        ),
    ],
    ids=["cancel", "place"],
)
def test_every_outermost_order_service_refuses_to_run_inside_a_callers_transaction(
    service, customer, salesperson, product
):
    order = place_order(customer=customer, products={product: 1})

    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        service(order, salesperson)

    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert customer.orders.count() == 1


def test_a_payment_takes_no_savepoint_once_its_rollup_rows_exist(customer, salesperson, product):
    for _ in range(ROLLUP_SHARDS):  # consecutive order ids: a row in every shard
        earlier = place_order(customer=customer, products={product: 1})
        order_set_status(order=earlier, to_status=OrderStatus.PAID, actor=salesperson)
    second = place_order(customer=customer, products={product: 1})

    with CaptureQueriesContext(connection) as queries:
        order_set_status(order=second, to_status=OrderStatus.PAID, actor=salesperson)

    statements = [query["sql"].upper() for query in queries.captured_queries]
    assert any("SALES" in sql for sql in statements)  # the payment did reach the ledger
    # The test runs inside a transaction, so the service's own block shows as the one savepoint
    # around everything (BEGIN and COMMIT in production); nothing inside takes another.
    savepoints = [index for index, sql in enumerate(statements) if "SAVEPOINT" in sql]
    assert savepoints == [0, len(statements) - 1]
