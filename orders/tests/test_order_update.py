"""Editing a pending order: lines, stock by the difference only, price snapshots, totals and
the discount again, all or nothing; only the owner or staff, only while pending."""

from decimal import Decimal

import pytest

from audit.models import AuditAction, AuditEntry
from catalog.tests.factories import CategoryFactory, ProductFactory
from inventory.models import MovementReason, Stock, StockMovement
from orders.models import OrderStatus
from orders.services import order_set_status
from orders.tests.factories import ADDRESS, DiscountCodeFactory, place_order

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _pricing(settings):
    settings.SALES_TAX_RATE = D("0.20")
    settings.SHIPPING_FLAT_FEE = D("5.00")
    settings.FREE_SHIPPING_THRESHOLD = D("1000.00")


def _url(order) -> str:
    return f"/api/v1/orders/{order.pk}/"


def _stock(product) -> int:
    return Stock.objects.get(product=product).quantity


def test_new_items_move_stock_by_the_difference_and_keep_the_price_snapshots(customer, customer_client):
    pen = ProductFactory(price=D("2.00"), stock=10)
    ink = ProductFactory(price=D("5.00"), stock=10)
    pad = ProductFactory(price=D("3.00"), stock=10)
    order = place_order(customer=customer, products={pen: 2, ink: 3})
    pen.price = D("9.99")  # a later price change does not touch the kept line
    pen.save()

    response = customer_client.patch(
        _url(order),
        {
            "items": [{"product": pen.pk, "quantity": 5}, {"product": pad.pk, "quantity": 1}],
            "note": "Leave at door",
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    lines = {
        item["sku"]: (item["quantity"], item["unit_price"], item["line_total"]) for item in body["items"]
    }
    assert lines == {pen.sku: (5, "2.00", "10.00"), pad.sku: (1, "3.00", "3.00")}
    assert (body["subtotal"], body["tax"], body["total"]) == ("13.00", "2.60", "20.60")
    order.refresh_from_db()
    assert order.note == "Leave at door"
    assert (_stock(pen), _stock(ink), _stock(pad)) == (5, 10, 9)
    moves = sorted(
        StockMovement.objects.filter(order_id=order.pk).values_list("product_id", "delta", "reason")
    )
    assert moves == sorted(
        [
            (pen.pk, -2, MovementReason.SALE),
            (ink.pk, -3, MovementReason.SALE),
            (pen.pk, -3, MovementReason.SALE),
            (pad.pk, -1, MovementReason.SALE),
            (ink.pk, 3, MovementReason.CANCELLATION),
        ]
    )
    entry = AuditEntry.objects.get(entity_id=str(order.pk), action=AuditAction.UPDATE)
    assert entry.changes["items"] == [{pen.sku: 2, ink.sku: 3}, {pen.sku: 5, pad.sku: 1}]


def test_a_shortfall_is_409_and_changes_nothing(customer, customer_client):
    pen = ProductFactory(price=D("2.00"), stock=3)
    order = place_order(customer=customer, products={pen: 1})

    response = customer_client.patch(
        _url(order), {"items": [{"product": pen.pk, "quantity": 5}]}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert response.json()["items"] == [{"product": pen.pk, "sku": pen.sku, "requested": 4, "available": 2}]
    assert (_stock(pen), order.items.get().quantity) == (2, 1)
    assert not AuditEntry.objects.filter(action=AuditAction.UPDATE).exists()


def test_the_code_is_applied_again_and_a_code_no_longer_valid_is_400(customer, customer_client):
    tools = CategoryFactory()
    saw = ProductFactory(price=D("40.00"), category=tools, stock=10)
    lamp = ProductFactory(price=D("20.00"), stock=10)
    code = DiscountCodeFactory(
        code="TOOLS", value=D("10"), categories=[tools], min_subtotal=D("40.00"), max_uses=1
    )
    order = place_order(customer=customer, products={saw: 1, lamp: 1}, discount_code="TOOLS")
    assert order.discount == D("4.00")

    more = customer_client.patch(
        _url(order),
        {"items": [{"product": saw.pk, "quantity": 2}, {"product": lamp.pk, "quantity": 1}]},
        format="json",
    )
    below_minimum = customer_client.patch(
        _url(order), {"items": [{"product": lamp.pk, "quantity": 1}]}, format="json"
    )
    removed = customer_client.patch(_url(order), {"discount_code": ""}, format="json")

    assert (more.status_code, more.json()["discount"], more.json()["discount_code"]) == (200, "8.00", "TOOLS")
    assert below_minimum.status_code == 400 and "discount_code" in below_minimum.json()
    assert _stock(saw) == 8 and _stock(lamp) == 9  # the refused edit moved nothing
    assert (removed.status_code, removed.json()["discount"], removed.json()["discount_code"]) == (
        200,
        "0.00",
        None,
    )
    code.refresh_from_db()


def test_only_pending_orders_change_and_only_by_their_owner_or_staff(
    customer, customer_client, other_customer_client, salesperson, salesperson_client
):
    pen = ProductFactory(price=D("2.00"), stock=10)
    pending = place_order(customer=customer, products={pen: 1})
    paid = place_order(customer=customer, products={pen: 1})
    order_set_status(order=paid, to_status=OrderStatus.PAID, actor=salesperson)
    body = {"items": [{"product": pen.pk, "quantity": 2}]}

    assert other_customer_client.patch(_url(pending), body, format="json").status_code == 404
    assert customer_client.patch(_url(paid), body, format="json").status_code == 409
    staff = salesperson_client.patch(
        _url(pending), {"shipping_address": {**ADDRESS, "city": "Leeds"}}, format="json"
    )
    assert (staff.status_code, staff.json()["shipping_address"]["city"]) == (200, "Leeds")
    assert _stock(pen) == 8
