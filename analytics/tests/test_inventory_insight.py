"""Inventory insight: units per day, days of cover, reorder point, suggested order and state,
exact on hand-made stock and sales."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.selectors import SalesFilters, inventory_insight
from catalog.models import ProductStatus
from catalog.tests.factories import ProductFactory
from orders.models import OrderStatus
from orders.tests.factories import OrderFactory

from .conftest import record_sale

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def shop():
    products = {
        "A": ProductFactory(sku="A", stock=5),
        "B": ProductFactory(sku="B", stock=20),
        "C": ProductFactory(sku="C", stock=100),
        "D": ProductFactory(sku="D", stock=10),
        "E": ProductFactory(sku="E", stock=0),
    }
    ProductFactory(sku="X", stock=3, status=ProductStatus.ARCHIVED)  # not for sale: not listed
    yesterday = timezone.now() - timedelta(days=1)
    long_ago = timezone.now() - timedelta(days=60)
    record_sale(
        OrderFactory(status=OrderStatus.PAID),
        yesterday,
        *((products[sku], 30, "300.00", "100.00") for sku in ("A", "B", "C")),
    )
    record_sale(OrderFactory(status=OrderStatus.PAID), long_ago, (products["D"], 50, "500.00", "100.00"))
    return products


def _window(days: int = 30) -> SalesFilters:
    today = timezone.now().date()
    return SalesFilters(start=today - timedelta(days=days - 1), end=today)


def test_states_cover_and_reorder_figures(shop):
    rows = inventory_insight(filters=_window(), window_days=30, lead_days=7, safety_days=7)

    assert [
        (
            r["sku"],
            r["stock"],
            r["units_per_day"],
            r["days_of_cover"],
            r["reorder_point"],
            r["suggested_order"],
            r["state"],
        )
        for r in rows
    ] == [
        ("A", 5, D("1.0000"), D("5.00"), 14, 23, "reorder"),
        ("B", 20, D("1.0000"), D("20.00"), 14, 0, "ok"),
        ("C", 100, D("1.0000"), D("100.00"), 14, 0, "overstock"),
        ("D", 10, D("0.0000"), None, 0, 0, "dead"),  # its sales are older than the window
        ("E", 0, D("0.0000"), None, 0, 0, "reorder"),
    ]


def test_the_api_filters_by_state_and_takes_the_lead_and_safety_days(
    shop, salesperson_client, customer_client
):
    response = salesperson_client.get(
        "/api/v1/analytics/inventory/", {"lead_days": 10, "safety_days": 15, "state": "reorder"}
    )

    assert response.status_code == 200
    # 25 days of cover needed now: B (20 days) must be reordered too
    assert [(r["sku"], r["reorder_point"], r["suggested_order"]) for r in response.json()] == [
        ("A", 25, 45),
        ("B", 25, 30),
        ("E", 0, 0),
    ]
    assert salesperson_client.get("/api/v1/analytics/inventory/", {"window_days": 0}).status_code == 400
    assert customer_client.get("/api/v1/analytics/inventory/").status_code == 403
