"""Unpaid orders expire after ORDER_PENDING_MINUTES; a customer holds at most
ORDER_MAX_PENDING_PER_CUSTOMER of them."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from catalog.tests.factories import ProductFactory
from inventory.models import MovementReason, Stock, StockMovement
from orders.models import Order, OrderStatus
from orders.services import order_set_status, orders_expire
from orders.tasks import expire_pending_orders
from orders.tests.factories import ADDRESS, DiscountCodeFactory, place_order

pytestmark = pytest.mark.django_db


def _age(order, minutes):
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_an_unpaid_order_past_the_limit_is_cancelled_with_stock_and_code_use_back(customer, ceo, settings):
    settings.ORDER_PENDING_MINUTES = 60
    product = ProductFactory(stock=5)
    DiscountCodeFactory(code="ONE", max_uses=1)
    stale = place_order(customer=customer, products={product: 2}, discount_code="ONE")
    fresh = place_order(customer=customer, products={product: 1})
    paid = place_order(customer=customer, products={product: 1})
    order_set_status(order=paid, to_status=OrderStatus.PAID, actor=ceo)
    for order in (stale, paid):
        _age(order, 61)
    _age(fresh, 59)

    expired = expire_pending_orders()

    assert expired == 1
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses == {stale.pk: "cancelled", fresh.pk: "pending", paid.pk: "paid"}
    assert Stock.objects.get(product=product).quantity == 3
    returned = StockMovement.objects.get(order_id=stale.pk, reason=MovementReason.CANCELLATION)
    assert returned.delta == 2
    change = stale.status_history.last()
    assert (change.to_status, change.note, change.by) == ("cancelled", "expired", None)
    entry = AuditEntry.objects.get(entity_id=str(stale.pk), action=AuditAction.STATUS_CHANGE)
    assert entry.actor is None
    # the code's only use came back
    place_order(customer=customer, products={product: 1}, discount_code="ONE")


def test_zero_minutes_never_expires_and_the_command_reports(customer, settings):
    product = ProductFactory(stock=5)
    order = place_order(customer=customer, products={product: 1})
    _age(order, 60 * 24 * 30)
    out = StringIO()

    settings.ORDER_PENDING_MINUTES = 0
    assert orders_expire() == 0
    settings.ORDER_PENDING_MINUTES = 60
    call_command("expire_orders", stdout=out)

    assert "1 pending order(s) expired." in out.getvalue()
    assert Order.objects.get().status == OrderStatus.CANCELLED


def test_a_customer_over_the_pending_cap_gets_409_and_staff_are_not_limited(
    customer, customer_client, salesperson_client, settings
):
    settings.ORDER_MAX_PENDING_PER_CUSTOMER = 2
    product = ProductFactory(stock=10)
    body = {"items": [{"product": product.pk, "quantity": 1}], "shipping_address": ADDRESS}

    codes = [customer_client.post("/api/v1/orders/", body, format="json").status_code for _ in range(3)]
    refused = customer_client.post("/api/v1/orders/", body, format="json")
    on_behalf = salesperson_client.post("/api/v1/orders/", {**body, "customer": customer.pk}, format="json")

    assert codes == [201, 201, 409]
    assert refused.json()["code"] == "too_many_pending"
    assert on_behalf.status_code == 201
    assert Order.objects.count() == 3
    assert Stock.objects.get(product=product).quantity == 7
