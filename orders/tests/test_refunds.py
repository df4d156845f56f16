"""Refunds of delivered units: amounts, the sales ledger and its rollups, stock, the status
path, refusals, and who may refund or read refunds."""

from decimal import Decimal

import pytest

from analytics.selectors import SalesFilters, sales_summary
from audit.models import AuditAction, AuditEntry
from catalog.tests.factories import ProductFactory
from inventory.models import MovementReason, Stock, StockMovement
from orders.ledger import sales_rollup_differences
from orders.models import OrderStatus, Refund, SalesRecord
from orders.services import order_refund, order_set_status
from orders.tests.factories import place_order
from salesbackend.exceptions import ConflictError

pytestmark = pytest.mark.django_db
D = Decimal
S = OrderStatus


@pytest.fixture(autouse=True)
def _pricing(settings):
    settings.SALES_TAX_RATE = D("0.20")
    settings.SHIPPING_FLAT_FEE = D("5.00")
    settings.FREE_SHIPPING_THRESHOLD = D("1000.00")


@pytest.fixture
def lamp():
    return ProductFactory(price=D("10.00"), cost_price=D("4.00"), stock=20)


@pytest.fixture
def desk():
    return ProductFactory(price=D("30.00"), cost_price=D("20.00"), stock=20)


def _delivered(customer, staff, products, **kwargs):
    order = place_order(customer=customer, products=products, **kwargs)
    for step in (S.PAID, S.SHIPPED, S.DELIVERED):
        order = order_set_status(order=order, to_status=step, actor=staff)
    return order


def _stock(product) -> int:
    return Stock.objects.get(product=product).quantity


def test_a_partial_refund_pays_back_net_revenue_and_tax_and_reverses_exactly_those_units(
    customer, salesperson, lamp, desk
):
    # 3 lamps (30.00) + 1 desk (30.00), 6.00 off: 3.00 each; tax 20 % of 54.00 = 10.80
    order = _delivered(customer, salesperson, {lamp: 3, desk: 1}, actor=salesperson, discount=D("6.00"))

    refund = order_refund(
        order=order,
        lines=[{"product": lamp.pk, "quantity": 1}],
        restock=True,
        reason="damaged",
        actor=salesperson,
    )

    line = refund.lines.get()
    # a third of the lamps' 27.00 net and of their 5.40 tax
    assert (line.quantity, line.revenue, line.tax, line.amount) == (1, D("9.00"), D("1.80"), D("10.80"))
    assert (refund.amount, refund.tax, refund.restocked, refund.by) == (
        D("10.80"),
        D("1.80"),
        True,
        salesperson,
    )
    order.refresh_from_db()
    assert order.status == S.PARTIALLY_REFUNDED
    reversal = SalesRecord.objects.get(order=order, quantity__lt=0)
    assert (reversal.product_id, reversal.quantity, reversal.revenue, reversal.cost) == (
        lamp.pk,
        -1,
        D("-9.00"),
        D("-4.00"),
    )
    assert _stock(lamp) == 18
    assert StockMovement.objects.get(order_id=order.pk, reason=MovementReason.RETURN).delta == 1
    assert sales_rollup_differences() == {}
    change = order.status_history.last()
    assert (change.from_status, change.to_status, change.by) == (
        S.DELIVERED,
        S.PARTIALLY_REFUNDED,
        salesperson,
    )
    entry = AuditEntry.objects.filter(entity_id=str(order.pk), action=AuditAction.STATUS_CHANGE).first()
    assert entry.changes["refund"] == [None, refund.pk]


def test_refunding_every_unit_in_steps_returns_exactly_what_was_paid_for_the_goods(
    customer, salesperson, lamp
):
    # 3 x 3.33 = 9.99, tax 2.00 (1.998 half up): thirds do not divide evenly
    odd = ProductFactory(price=D("3.33"), cost_price=D("1.00"), stock=10)
    order = _delivered(customer, salesperson, {odd: 3})

    refunds = [
        order_refund(
            order=order,
            lines=[{"sku": odd.sku, "quantity": 1}],
            restock=False,
            reason="other",
            actor=salesperson,
        )
        for _ in range(3)
    ]

    order.refresh_from_db()
    assert order.status == S.REFUNDED
    assert sum(r.amount for r in refunds) == order.subtotal - order.discount + order.tax
    assert sum(r.tax for r in refunds) == order.tax
    assert SalesRecord.objects.filter(order=order).values_list("quantity", flat=True).count() == 4
    net = SalesRecord.objects.filter(order=order)
    assert (
        sum(r.revenue for r in net) == 0
        and sum(r.quantity for r in net) == 0
        and sum(r.cost for r in net) == 0
    )
    assert _stock(odd) == 7  # no restock
    assert not StockMovement.objects.filter(order_id=order.pk, reason=MovementReason.RETURN).exists()
    assert sales_rollup_differences() == {}


def test_the_status_endpoint_refunds_everything_that_is_left(customer, salesperson, lamp, desk):
    order = _delivered(customer, salesperson, {lamp: 2, desk: 1})
    order_refund(
        order=order, lines=[{"product": lamp.pk, "quantity": 1}], reason="damaged", actor=salesperson
    )

    order = order_set_status(order=order, to_status=S.REFUNDED, actor=salesperson)

    assert order.status == S.REFUNDED
    last = order.refunds.order_by("id").last()
    assert sorted(last.lines.values_list("sku", "quantity")) == sorted([(lamp.sku, 1), (desk.sku, 1)])
    assert (_stock(lamp), _stock(desk)) == (20, 20)
    assert sum(r.amount for r in order.refunds.all()) == order.subtotal + order.tax
    assert sales_rollup_differences() == {}


def test_more_than_delivered_and_not_yet_refunded_is_409_and_changes_nothing(customer, salesperson, lamp):
    order = _delivered(customer, salesperson, {lamp: 2})
    order_refund(order=order, lines=[{"product": lamp.pk, "quantity": 1}], actor=salesperson)

    with pytest.raises(ConflictError) as refused:
        order_refund(order=order, lines=[{"product": lamp.pk, "quantity": 2}], actor=salesperson)

    assert refused.value.code == "refund_exceeds_delivered"
    assert refused.value.extra["items"] == [
        {"product": lamp.pk, "sku": lamp.sku, "requested": 2, "available": 1}
    ]
    assert Refund.objects.count() == 1
    assert _stock(lamp) == 19


@pytest.mark.parametrize("status", [S.PENDING, S.PAID, S.SHIPPED])
def test_only_delivered_orders_are_refunded(customer, salesperson, lamp, status):
    order = place_order(customer=customer, products={lamp: 1})
    for step in {S.PENDING: [], S.PAID: [S.PAID], S.SHIPPED: [S.PAID, S.SHIPPED]}[status]:
        order = order_set_status(order=order, to_status=step, actor=salesperson)

    with pytest.raises(ConflictError):
        order_refund(order=order, lines=[{"product": lamp.pk, "quantity": 1}], actor=salesperson)

    assert not Refund.objects.exists()


def test_analytics_show_revenue_net_of_a_partial_refund(customer, salesperson, lamp):
    order = _delivered(customer, salesperson, {lamp: 4})  # 40.00

    order_refund(order=order, lines=[{"product": lamp.pk, "quantity": 1}], actor=salesperson)

    summary = sales_summary(filters=SalesFilters())
    # the partly refunded order still counts as one order
    assert (summary["revenue"], summary["units"], summary["orders"]) == (D("30.00"), 3, 1)


# -------------------------------------------------------------------------------- the API


def _url(order) -> str:
    return f"/api/v1/orders/{order.pk}/refunds/"


def test_staff_refund_over_the_api_and_the_order_shows_it(
    customer, customer_client, salesperson, salesperson_client, lamp
):
    order = _delivered(customer, salesperson, {lamp: 2})

    response = salesperson_client.post(
        _url(order),
        {"items": [{"sku": lamp.sku, "quantity": 1}], "reason": "wrong_item", "restock": False},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "items", "amount", "tax", "restocked", "reason", "note", "by", "created_at"}
    assert body["items"] == [{"product": lamp.pk, "sku": lamp.sku, "quantity": 1, "amount": "12.00"}]
    assert (body["amount"], body["tax"], body["restocked"], body["by"]) == (
        "12.00",
        "2.00",
        False,
        salesperson.pk,
    )
    seen = customer_client.get(f"/api/v1/orders/{order.pk}/").json()
    assert (seen["status"], seen["refunded_total"]) == ("partially_refunded", "12.00")
    assert seen["refunds"][0]["by"] is None  # a customer never sees which staff member
    assert customer_client.get(_url(order)).json()["results"][0]["id"] == body["id"]


def test_customers_cannot_refund_and_never_see_another_customers_refunds(
    customer, customer_client, other_customer_client, salesperson, lamp
):
    order = _delivered(customer, salesperson, {lamp: 2})
    body = {"items": [{"product": lamp.pk, "quantity": 1}], "reason": "other"}

    assert customer_client.post(_url(order), body, format="json").status_code == 403
    assert other_customer_client.get(_url(order)).status_code == 404
    assert not Refund.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"items": [], "reason": "other"},
        {"items": [{"product": 999999, "quantity": 1}], "reason": "other"},
        {"items": [{"product": 1, "quantity": 0}], "reason": "other"},
        {"items": [{"product": 1, "quantity": 1}], "reason": "because"},
    ],
)
def test_bad_refund_requests_are_400(customer, salesperson, salesperson_client, lamp, body):
    order = _delivered(customer, salesperson, {lamp: 2})

    response = salesperson_client.post(_url(order), body, format="json")

    assert response.status_code == 400
    assert not Refund.objects.exists()
