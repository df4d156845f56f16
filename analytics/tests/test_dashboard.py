"""The admin index shows the sales dashboard to staff: current at every load, in a fixed number of queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.tests.factories import ProductFactory
from orders.models import OrderStatus
from orders.services import order_set_status
from orders.tests.factories import place_order

pytestmark = pytest.mark.django_db


def test_staff_see_todays_and_this_months_figures_low_stock_and_latest_orders(
    client, ceo, salesperson, customer, other_customer, settings
):
    settings.SALES_TAX_RATE = Decimal("0")
    lamp = ProductFactory(price=Decimal("10.00"), stock=12)
    paid = place_order(customer=customer, products={lamp: 3})
    order_set_status(order=paid, to_status=OrderStatus.PAID, actor=salesperson)
    pending = place_order(customer=other_customer, products={lamp: 1})
    client.force_login(salesperson)

    html = client.get("/admin/").content.decode()

    assert 'id="sales-dashboard"' in html
    assert f"30.00 {settings.SALES_CURRENCY}" in html  # today's and this month's revenue
    assert pending.number in html and paid.number in html
    assert lamp.sku in html  # 8 left, at or below its threshold of 10
    assert "Pending orders" in html


def test_the_dashboard_costs_the_same_queries_however_many_orders(
    client, salesperson, customer, django_assert_max_num_queries, settings
):
    settings.ORDER_MAX_PENDING_PER_CUSTOMER = 0
    lamp = ProductFactory(stock=100)
    client.force_login(salesperson)

    with CaptureQueriesContext(connection) as few:
        client.get("/admin/")
    for _ in range(10):
        place_order(customer=customer, products={lamp: 1})

    with django_assert_max_num_queries(len(few)):
        client.get("/admin/")


def test_customers_do_not_reach_the_admin_dashboard(client, customer):
    client.force_login(customer)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_an_order_placed_a_moment_ago_is_on_the_dashboard_at_the_next_load(client, salesperson, customer):
    lamp = ProductFactory(stock=50)
    client.force_login(salesperson)
    client.get("/admin/")  # the dashboard as it was

    order = place_order(customer=customer, products={lamp: 1})
    html = client.get("/admin/").content.decode()

    assert order.number in html
    assert customer.email in html


def test_the_dashboard_reads_as_headed_tables_and_figures_with_their_change(
    client, salesperson, customer, settings
):
    settings.SALES_TAX_RATE = Decimal("0")
    lamp = ProductFactory(price=Decimal("1000.00"), stock=12)
    paid = place_order(customer=customer, products={lamp: 3})
    order_set_status(order=paid, to_status=OrderStatus.PAID, actor=salesperson)
    client.force_login(salesperson)

    html = client.get("/admin/").content.decode()

    for heading in ("Product", "On hand", "Threshold", "Number", "Customer", "Status", "Total", "Placed at"):
        assert (
            f'<th scope="col">{heading}</th>' in html
            or f'<th scope="col" class="number">{heading}</th>' in html
        )
    assert f"3,000.00 {settings.SALES_CURRENCY}" in html  # revenue with separators and currency
    assert "Paid" in html and ">paid<" not in html  # the status in words
    assert "▲" in html and "vs yesterday" in html and "vs same days last month" in html
    assert "Revenue this month" in html and "Orders this month" in html
    assert "/admin/orders/order/?status__exact=pending" in html
    assert "/reports/inventory/" in html or "state=reorder" in html


def test_low_stock_is_shown_per_location_once_there_is_more_than_one(client, salesperson):
    from inventory.models import Location, MovementReason
    from inventory.services import stock_adjust

    lamp = ProductFactory(sku="LAMP", stock=50)  # plenty at main, and in total
    ProductFactory(sku="PEN", stock=1)  # low at main: the product's own row says so already
    client.force_login(salesperson)
    alone = client.get("/admin/").content.decode()
    store = Location.objects.create(code="store-1", name="Store One", kind="store")
    stock_adjust(product=lamp, actor=salesperson, reason=MovementReason.RESTOCK, delta=2, location=store)

    html = client.get("/admin/").content.decode()

    assert "Low stock at a location" not in alone
    assert "Low stock at a location" in html
    section = html.split("Low stock at a location", 1)[1].split("</table>", 1)[0]
    rows = [row for row in section.split("<tr>") if "<td>" in row]
    assert len(rows) == 2
    assert any("LAMP" in row and "<td>store-1</td>" in row for row in rows)
    assert any("PEN" in row and "<td>main</td>" in row for row in rows)
