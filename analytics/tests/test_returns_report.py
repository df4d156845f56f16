"""The returns report: units received back against units sold per product, the top reason, the
common filters, the cache following receipts, and the products page showing the rate."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.selectors import SalesFilters, product_returns, return_reasons
from analytics.tests.conftest import page_text
from catalog.tests.factories import ProductFactory
from conftest import client_for
from orders.models import OrderStatus, ReturnStatusChange
from orders.services import order_set_status, return_approve, return_receive, return_request
from orders.tests.factories import place_order

pytestmark = pytest.mark.django_db
URL = "/api/v1/analytics/returns/"


@pytest.fixture
def lamp():
    return ProductFactory(price=Decimal("10.00"), stock=100, sku="LAMP-1")


@pytest.fixture
def desk():
    return ProductFactory(price=Decimal("30.00"), stock=100, sku="DESK-1")


def _sold(customer, staff, products):
    order = place_order(customer=customer, products=products)
    for step in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order = order_set_status(order=order, to_status=step, actor=staff)
    return order


def _returned(order, customer, staff, product, quantity, *, reason, received=None):
    returned = return_request(
        order=order, lines=[{"product": product.pk, "quantity": quantity}], reason=reason, actor=customer
    )
    return_approve(return_request=returned, actor=staff)
    return_receive(
        return_request=returned,
        lines=[
            {
                "product": product.pk,
                "quantity": quantity if received is None else received,
                "condition": "ok",
                "disposition": "restock",
            }
        ],
        actor=staff,
    )
    return returned


@pytest.fixture
def returns(customer, salesperson, lamp, desk):
    """Lamps: 10 sold, 3 back (2 damaged, 1 damaged, and one wrong item not yet received).
    Desks: 4 sold, 1 back (not needed)."""
    first = _sold(customer, salesperson, {lamp: 5, desk: 4})
    second = _sold(customer, salesperson, {lamp: 5})
    _returned(first, customer, salesperson, lamp, 2, reason="damaged")
    _returned(second, customer, salesperson, lamp, 1, reason="damaged")
    _returned(first, customer, salesperson, desk, 1, reason="not_needed")
    waiting = return_request(
        order=second, lines=[{"product": lamp.pk, "quantity": 1}], reason="wrong_item", actor=customer
    )
    return waiting


def test_rate_per_product_with_the_top_reason_highest_first(returns, salesperson, lamp, desk):
    rows = client_for(salesperson).get(URL).json()

    assert rows == [
        {
            "product": lamp.pk,
            "sku": "LAMP-1",
            "units_sold": 10,
            "units_returned": 3,
            "rate": "0.3000",
            "top_reason": "damaged",
        },
        {
            "product": desk.pk,
            "sku": "DESK-1",
            "units_sold": 4,
            "units_returned": 1,
            "rate": "0.2500",
            "top_reason": "not_needed",
        },
    ]


def test_filters_and_the_window_of_receipt(returns, salesperson, lamp):
    client = client_for(salesperson)
    today = timezone.now().date()

    only_lamp = client.get(URL, {"product": lamp.pk}).json()
    yesterday = client.get(
        URL, {"start": str(today - timedelta(days=1)), "end": str(today - timedelta(days=1))}
    )

    assert [row["sku"] for row in only_lamp] == ["LAMP-1"]
    assert yesterday.json() == []
    assert client.get(URL, {"start": "2026-02-30"}).status_code == 400


def test_received_units_only_and_the_cache_follows_receipts(
    returns, customer, salesperson, lamp, django_capture_on_commit_callbacks
):
    client = client_for(salesperson)
    assert client.get(URL).json()[0]["units_returned"] == 3  # cached now

    return_approve(return_request=returns, actor=salesperson)
    with django_capture_on_commit_callbacks(execute=True):  # the version moves after commit
        return_receive(
            return_request=returns,
            lines=[{"product": lamp.pk, "quantity": 1, "condition": "damaged", "disposition": "scrap"}],
            actor=salesperson,
        )

    assert client.get(URL).json()[0]["units_returned"] == 4


def test_a_receipt_outside_the_window_does_not_count(returns, lamp):
    ReturnStatusChange.objects.filter(to_status="received").update(
        created_at=timezone.now() - timedelta(days=400)
    )
    assert product_returns(filters=SalesFilters(start=timezone.now().date() - timedelta(days=30))) == []


def test_customers_get_403(customer_client):
    assert customer_client.get(URL).status_code == 403


def test_the_products_page_shows_the_return_rate(returns, client, salesperson):
    client.force_login(salesperson)

    html = page_text(client.get(reverse("reports:products")).content.decode())

    assert "Return rate by product" in html
    assert "30.0 %" in html or "30.0%" in html
    assert "Damaged" in html
    assert "Returns by reason" in html
    assert "75.0 %" in html or "75.0%" in html  # 3 of the 4 units back were damaged


def test_the_products_csv_of_returns_has_the_api_numbers(returns, client, salesperson):
    client.force_login(salesperson)
    api_rows = client_for(salesperson).get(URL).json()

    csv_text = client.get(reverse("reports:products"), {"format": "csv", "table": "returns"}).content.decode()
    header, *body = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))

    assert header == ["product", "sku", "units_sold", "units_returned", "rate", "top_reason"]
    assert body == [["" if row[key] is None else str(row[key]) for key in header] for row in api_rows]


def test_reasons_with_their_share_of_the_units(returns):
    assert return_reasons(filters=SalesFilters()) == [
        {"reason": "damaged", "returns": 2, "units_returned": 3, "share": Decimal("0.7500")},
        {"reason": "not_needed", "returns": 1, "units_returned": 1, "share": Decimal("0.2500")},
    ]
