"""Analytics follow the real order lifecycle (orders.services), not just factory rows:
answered from the rollups and from the ledger alike, and never from a stale cache."""

from decimal import Decimal

import pytest

from catalog.tests.factories import ProductFactory
from orders.models import OrderStatus
from orders.services import order_cancel, order_place, order_set_status
from orders.tests.factories import ADDRESS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sales_source")]

SUMMARY = "/api/v1/analytics/summary/"


def figures(client) -> tuple[str, str, int, int, int]:
    summary = client.get(SUMMARY).json()
    return summary["revenue"], summary["profit"], summary["orders"], summary["units"], summary["customers"]


def test_pending_orders_do_not_count_paid_ones_do_and_cancellations_and_refunds_reverse_them(
    ceo_client, customer, salesperson, django_capture_on_commit_callbacks
):
    product = ProductFactory(price=Decimal("25.00"), cost_price=Decimal("10.00"), stock=10)

    def place(quantity: int):
        with django_capture_on_commit_callbacks(execute=True):
            return order_place(
                customer=customer,
                actor=customer,
                lines=[{"product": product.pk, "quantity": quantity}],
                shipping_address=ADDRESS,
            ).order

    def move(order, *statuses):
        for status in statuses:
            with django_capture_on_commit_callbacks(execute=True):
                if status == OrderStatus.CANCELLED:
                    order_cancel(order=order, actor=salesperson)
                else:
                    order_set_status(order=order, to_status=status, actor=salesperson)

    cancelled_later, refunded_later = place(2), place(1)
    pending = figures(ceo_client)
    move(cancelled_later, OrderStatus.PAID)
    move(refunded_later, OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
    paid = figures(ceo_client)
    move(cancelled_later, OrderStatus.CANCELLED)
    cancelled = figures(ceo_client)
    move(refunded_later, OrderStatus.REFUNDED)
    refunded = figures(ceo_client)

    assert pending == ("0.00", "0.00", 0, 0, 0)
    assert paid == ("75.00", "45.00", 2, 3, 1)
    # Customers are those who bought in the window: a reversal does not undo that.
    assert cancelled == ("25.00", "15.00", 1, 1, 1)
    assert refunded == ("0.00", "0.00", 0, 0, 1)
