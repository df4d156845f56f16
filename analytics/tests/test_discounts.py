"""Sales by discount code: orders placed, paid and partly refunded through the services."""

from decimal import Decimal

import pytest

from analytics.selectors import SalesFilters, sales_by_discount_code
from catalog.tests.factories import ProductFactory
from orders.models import OrderStatus
from orders.services import order_refund, order_set_status
from orders.tests.factories import DiscountCodeFactory, place_order

pytestmark = pytest.mark.django_db
D = Decimal


def _paid(order, staff, *, delivered=False):
    steps = (
        (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED) if delivered else (OrderStatus.PAID,)
    )
    for step in steps:
        order = order_set_status(order=order, to_status=step, actor=staff)
    return order


def test_each_code_shows_its_orders_discount_net_revenue_and_share(
    customer, other_customer, salesperson, ceo_client
):
    lamp = ProductFactory(price=D("10.00"), stock=50)
    DiscountCodeFactory(code="TEN", value=D("10"))
    DiscountCodeFactory(code="FIVER", kind="fixed", value=D("5.00"))
    with_ten = _paid(
        place_order(customer=customer, products={lamp: 4}, discount_code="TEN"), salesperson, delivered=True
    )
    _paid(place_order(customer=other_customer, products={lamp: 2}, discount_code="TEN"), salesperson)
    _paid(place_order(customer=customer, products={lamp: 1}, discount_code="FIVER"), salesperson)
    _paid(place_order(customer=other_customer, products={lamp: 3}), salesperson)
    place_order(customer=customer, products={lamp: 9}, discount_code="FIVER")  # never paid: no sale
    # one of the four lamps comes back: 9.00 of net revenue
    order_refund(order=with_ten, lines=[{"product": lamp.pk, "quantity": 1}], actor=salesperson)

    rows = sales_by_discount_code(filters=SalesFilters())

    assert rows == [
        {
            "code": "TEN",
            "orders": 2,
            "discount": D("6.00"),
            "revenue": D("45.00"),
            "average_order_value": D("22.50"),
            "share": D("0.5625"),
        },
        {
            "code": None,
            "orders": 1,
            "discount": D("0.00"),
            "revenue": D("30.00"),
            "average_order_value": D("30.00"),
            "share": D("0.3750"),
        },
        {
            "code": "FIVER",
            "orders": 1,
            "discount": D("5.00"),
            "revenue": D("5.00"),
            "average_order_value": D("5.00"),
            "share": D("0.0625"),
        },
    ]
    response = ceo_client.get("/api/v1/analytics/discounts/")
    assert response.status_code == 200
    assert response.json()[0] == {
        "code": "TEN",
        "orders": 2,
        "discount": "6.00",
        "revenue": "45.00",
        "average_order_value": "22.50",
        "share": "0.5625",
    }


def test_customers_cannot_read_discount_analytics(customer_client):
    assert customer_client.get("/api/v1/analytics/discounts/").status_code == 403


def test_orders_without_a_code_show_the_staff_discounts_they_got(customer, salesperson):
    lamp = ProductFactory(price=D("10.00"), stock=10)
    _paid(
        place_order(customer=customer, actor=salesperson, products={lamp: 3}, discount=D("4.00")), salesperson
    )

    rows = sales_by_discount_code(filters=SalesFilters())

    assert [(r["code"], r["orders"], r["discount"], r["revenue"]) for r in rows] == [
        (None, 1, D("4.00"), D("26.00"))
    ]


@pytest.mark.parametrize("span", ["today", "all time"])
def test_the_earlier_spans_revenue_per_code_is_what_the_codes_report_says(customer, salesperson, span):
    from analytics.selectors import previous_revenue_by_code
    from salesbackend.zone import sales_today

    lamp = ProductFactory(price=D("10.00"), stock=50)
    DiscountCodeFactory(code="TEN", value=D("10"))
    with_ten = _paid(
        place_order(customer=customer, products={lamp: 4}, discount_code="TEN"), salesperson, delivered=True
    )
    _paid(place_order(customer=customer, products={lamp: 3}), salesperson)
    order_refund(order=with_ten, lines=[{"product": lamp.pk, "quantity": 1}], actor=salesperson)
    filters = SalesFilters(start=sales_today(), end=sales_today()) if span == "today" else SalesFilters()

    assert (
        previous_revenue_by_code(filters)
        == {row["code"]: row["revenue"] for row in sales_by_discount_code(filters=filters)}
        == {"TEN": D("27.00"), None: D("30.00")}
    )
