"""The admin index shows the sales dashboard to staff, from one cached set of figures."""

from decimal import Decimal

import pytest
from django.core.cache import cache
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
    cache.clear()

    with django_assert_max_num_queries(len(few)):
        client.get("/admin/")


def test_customers_do_not_reach_the_admin_dashboard(client, customer):
    client.force_login(customer)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
