"""Analytics follow the real order lifecycle (orders.services), not just factory rows."""

from decimal import Decimal

import pytest

from catalog.tests.factories import ProductFactory
from orders.models import OrderStatus
from orders.services import order_cancel, order_place, order_set_status
from orders.tests.factories import ADDRESS

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/analytics/summary/"


def figures(client) -> tuple[str, str, int, int]:
    summary = client.get(SUMMARY).json()
    return summary["revenue"], summary["profit"], summary["orders"], summary["units"]


def test_pending_orders_do_not_count_paid_ones_do_and_a_cancellation_reverses_them(
    ceo_client, customer, salesperson
):
    product = ProductFactory(price=Decimal("25.00"), cost_price=Decimal("10.00"), stock=10)
    order = order_place(
        customer=customer,
        actor=customer,
        lines=[{"product": product.pk, "quantity": 2}],
        shipping_address=ADDRESS,
    ).order

    pending = figures(ceo_client)
    order_set_status(order=order, to_status=OrderStatus.PAID, actor=salesperson)
    paid = figures(ceo_client)
    order_cancel(order=order, actor=salesperson)
    cancelled = figures(ceo_client)

    assert pending == ("0.00", "0.00", 0, 0)
    assert paid == ("50.00", "30.00", 1, 2)
    assert cancelled == ("0.00", "0.00", 0, 0)
