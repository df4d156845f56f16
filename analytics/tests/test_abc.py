"""ABC analysis: exact shares, cumulative shares and classes on hand-made sales, zero sellers
included as C, through the rollups and through the ledger."""

from decimal import Decimal

import pytest

from analytics.selectors import SalesFilters, abc_analysis
from catalog.models import ProductStatus
from catalog.tests.factories import ProductFactory
from orders.models import OrderStatus
from orders.tests.factories import OrderFactory

from .conftest import at, record_sale

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def catalog():
    products = {sku: ProductFactory(sku=sku) for sku in ("P1", "P2", "P3", "P4", "P5")}
    ProductFactory(sku="OLD", status=ProductStatus.ARCHIVED)  # neither active nor sold: not listed
    order = OrderFactory(status=OrderStatus.PAID)
    record_sale(
        order,
        at("2026-02-10"),
        (products["P1"], 5, "50.00", "20.00"),
        (products["P2"], 3, "30.00", "27.00"),
        (products["P3"], 1, "15.00", "5.00"),
        (products["P4"], 1, "5.00", "1.00"),
    )
    return products


@pytest.mark.parametrize(
    "dates", [{}, {"start": "2026-02-10", "end": "2026-02-10"}], ids=["rollups", "ledger"]
)
def test_classes_follow_the_cumulative_share_and_zero_sellers_are_c(catalog, dates):
    from datetime import date

    filters = SalesFilters(**{key: date.fromisoformat(value) for key, value in dates.items()})

    rows = abc_analysis(filters=filters, by="revenue")

    assert [(r["sku"], r["value"], r["share"], r["cumulative_share"], r["class"]) for r in rows] == [
        ("P1", D("50.00"), D("0.5000"), D("0.5000"), "A"),
        ("P2", D("30.00"), D("0.3000"), D("0.8000"), "A"),
        ("P3", D("15.00"), D("0.1500"), D("0.9500"), "B"),
        ("P4", D("5.00"), D("0.0500"), D("1.0000"), "C"),
        ("P5", D("0.00"), D("0.0000"), D("1.0000"), "C"),
    ]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]


def test_by_profit_and_units_reorder_the_classes(catalog):
    # profit 30, 10, 4, 3, 0 of 47: cumulative 64 %, 85 %, 94 %, 100 %
    by_profit = abc_analysis(filters=SalesFilters(), by="profit")
    by_units = abc_analysis(filters=SalesFilters(), by="units")  # 5, 3, 1, 1, 0 of 10

    assert [(r["sku"], r["class"]) for r in by_profit] == [
        ("P1", "A"),
        ("P3", "B"),
        ("P4", "B"),
        ("P2", "C"),
        ("P5", "C"),
    ]
    assert [(r["sku"], r["value"], r["class"]) for r in by_units][:2] == [
        ("P1", D("5.00"), "A"),
        ("P2", D("3.00"), "A"),
    ]


def test_the_api_answers_with_class_and_refuses_customers(catalog, ceo_client, customer_client):
    response = ceo_client.get("/api/v1/analytics/abc/", {"by": "revenue"})

    assert response.status_code == 200
    assert response.json()[0] == {
        "rank": 1,
        "product": catalog["P1"].pk,
        "sku": "P1",
        "name": catalog["P1"].name,
        "value": "50.00",
        "share": "0.5000",
        "cumulative_share": "0.5000",
        "class": "A",
    }
    assert ceo_client.get("/api/v1/analytics/abc/", {"by": "margin"}).status_code == 400
    assert customer_client.get("/api/v1/analytics/abc/").status_code == 403
