"""The analytics JSON API: roles, exact answers, filter validation and caching."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.tests.factories import CategoryFactory, ProductFactory
from orders.models import OrderStatus
from orders.tests.factories import OrderFactory

from .conftest import at, record_reversal, record_sale

pytestmark = pytest.mark.django_db

BASE = "/api/v1/analytics/"
ENDPOINTS = {
    "summary/": {},
    "top-products/": {"by": "units", "limit": 2},
    "bottom-products/": {"limit": 3},
    "revenue/": {"group_by": "week"},
    "compare/": {
        "period1_start": "2026-01-01",
        "period1_end": "2026-01-31",
        "period2_start": "2026-03-01",
        "period2_end": "2026-03-31",
    },
    "by-category/": {},
    "by-channel/": {},
    "category-leaders/": {"limit": 1},
}


# The sales ledger and its rollups.
SALES_TABLES = (
    "orders_salesrecord",
    "orders_dailysales",
    "orders_productsales",
    "orders_dailyorders",
    "orders_dailycustomers",
)


def sales_table_queries(queries) -> list[str]:
    return [query["sql"] for query in queries if any(table in query["sql"] for table in SALES_TABLES)]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    ("role", "expected"), [("anonymous", 401), ("customer", 403), ("salesperson", 200), ("ceo", 200)]
)
def test_role_matrix(ledger, role_clients, path, role, expected):
    with CaptureQueriesContext(connection) as queries:
        response = role_clients[role].get(BASE + path, ENDPOINTS[path])

    assert response.status_code == expected
    if expected != 200:
        # refused before any work: nothing read from the ledger, nothing cached
        assert sales_table_queries(queries) == []
        assert set(response.json()) == {"detail", "code"}


def test_summary_as_json(ledger, ceo_client):
    response = ceo_client.get(BASE + "summary/", {"start": "2026-01-01", "end": "2026-03-31"})

    assert response.status_code == 200
    assert response.json() == {
        "revenue": "500.00",
        "cost": "271.00",
        "profit": "229.00",
        "margin": "0.4580",
        "orders": 4,
        "units": 11,
        "average_order_value": "125.00",
        "customers": 3,
        "status_counts": {
            "pending": 1,
            "paid": 4,
            "shipped": 0,
            "delivered": 0,
            "cancelled": 2,
            "refunded": 0,
            "partially_refunded": 0,
        },
    }


def test_top_products_as_json_with_category_filter(ledger, salesperson_client):
    response = salesperson_client.get(BASE + "top-products/", {"category": "electronics"})

    assert response.status_code == 200
    assert response.json() == [
        {
            "rank": 1,
            "product": ledger.product.A.pk,
            "sku": "A",
            "name": "Phone A",
            "units": 2,
            "revenue": "200.00",
            "profit": "80.00",
            "share": "0.5000",
        },
        {
            "rank": 1,
            "product": ledger.product.B.pk,
            "sku": "B",
            "name": "Laptop B",
            "units": 4,
            "revenue": "200.00",
            "profit": "80.00",
            "share": "0.5000",
        },
    ]


def test_bottom_products_lists_unsold_active_products_first(ledger, ceo_client):
    response = ceo_client.get(BASE + "bottom-products/", {"limit": 2})

    assert [(row["rank"], row["sku"], row["revenue"], row["units"]) for row in response.json()] == [
        (1, "D", "0.00", 0),
        (2, "H", "40.00", 2),
    ]


def test_revenue_as_json_with_filled_periods(ledger, ceo_client):
    response = ceo_client.get(
        BASE + "revenue/", {"group_by": "month", "start": "2026-01-01", "end": "2026-03-31", "channel": "web"}
    )

    assert response.json() == [
        {
            "period": "2026-01-01",
            "revenue": "140.00",
            "orders": 1,
            "units": 3,
            "profit": "70.00",
            "running_total": "140.00",
            "change": None,
        },
        {
            "period": "2026-02-01",
            "revenue": "0.00",
            "orders": 0,
            "units": 0,
            "profit": "0.00",
            "running_total": "140.00",
            "change": "-140.00",
        },
        {
            "period": "2026-03-01",
            "revenue": "200.00",
            "orders": 1,
            "units": 3,
            "profit": "80.00",
            "running_total": "340.00",
            "change": "200.00",
        },
    ]


def test_compare_as_json(ledger, ceo_client):
    response = ceo_client.get(BASE + "compare/", ENDPOINTS["compare/"])

    assert response.json() == {
        "period1": {"start": "2026-01-01", "end": "2026-01-31", "revenue": "280.00", "orders": 2, "units": 7},
        "period2": {"start": "2026-03-01", "end": "2026-03-31", "revenue": "220.00", "orders": 2, "units": 4},
        "difference": "-60.00",
        "change_pct": "-21.43",
    }


def test_by_channel_category_and_leaders_as_json(ledger, ceo_client):
    channels = ceo_client.get(BASE + "by-channel/").json()
    categories = ceo_client.get(BASE + "by-category/", {"category": "books"}).json()
    leaders = ceo_client.get(BASE + "category-leaders/", {"limit": 1, "category": "electronics"}).json()

    assert channels[0] == {
        "rank": 1,
        "channel": "web",
        "name": "Web shop",
        "revenue": "340.00",
        "orders": 2,
        "share": "0.6800",
    }
    assert categories == [
        {
            "rank": 1,
            "category": "books",
            "name": "Books",
            "revenue": "100.00",
            "units": 5,
            "profit": "69.00",
            "share": "1.0000",
        }
    ]
    assert [
        (row["category"], row["category_name"], row["rank"], row["sku"], row["revenue"]) for row in leaders
    ] == [
        ("electronics", "Electronics", 1, "B", "200.00"),
        ("phones", "Phones", 1, "A", "200.00"),
    ]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("revenue/", {"group_by": "hour"}, "group_by"),
        ("top-products/", {"by": "price"}, "by"),
        ("top-products/", {"limit": "ten"}, "limit"),
        ("bottom-products/", {"limit": "0"}, "limit"),
        ("category-leaders/", {"limit": "101"}, "limit"),
        ("summary/", {"start": "2026-03-02", "end": "2026-03-01"}, "end"),
        ("summary/", {"start": "2026-13-01"}, "start"),
        ("summary/", {"end": "01/03/2026"}, "end"),
        ("by-channel/", {"category": "no-such-category"}, "category"),
        ("by-category/", {"channel": "fax"}, "channel"),
        ("summary/", {"product": "abc"}, "product"),
        ("compare/", {"period1_start": "2026-01-01"}, "period2_start"),
        ("compare/", {**ENDPOINTS["compare/"], "period2_end": "2026-02-01"}, "period2_end"),
        ("revenue/", {"group_by": "day", "start": "2000-01-01", "end": "2026-01-01"}, "group_by"),
        # The last day the calendar has: the day after it (an inclusive end) does not exist.
        ("summary/", {"start": "9999-12-01", "end": "9999-12-31"}, "end"),
        ("top-products/", {"end": "9999-12-31"}, "end"),
        ("revenue/", {"group_by": "year", "start": "9999-01-01"}, "start"),
        ("compare/", {**ENDPOINTS["compare/"], "period2_end": "9999-12-31"}, "period2_end"),
    ],
)
def test_bad_filters_answer_400_with_field_messages(ledger, ceo_client, path, params, field):
    response = ceo_client.get(BASE + path, params)

    assert response.status_code == 400
    body = response.json()
    assert field in body
    assert all(isinstance(message, str) and message for message in body[field])


def test_a_cached_answer_reads_no_sales_table(ledger, ceo_client):
    first = ceo_client.get(BASE + "top-products/", {"category": "books"})

    with CaptureQueriesContext(connection) as queries:
        second = ceo_client.get(BASE + "top-products/", {"category": "books"})

    assert second.json() == first.json()
    assert sales_table_queries(queries) == []


@pytest.mark.parametrize("path", ENDPOINTS)
def test_every_endpoint_is_cached(ledger, ceo_client, path):
    with CaptureQueriesContext(connection) as first:
        ceo_client.get(BASE + path, ENDPOINTS[path])

    with CaptureQueriesContext(connection) as second:
        response = ceo_client.get(BASE + path, ENDPOINTS[path])

    assert response.status_code == 200
    assert sales_table_queries(first) != []
    assert sales_table_queries(second) == []


def test_a_new_paid_sale_and_a_reversal_show_in_the_next_answer(
    ledger, ceo_client, django_capture_on_commit_callbacks
):
    assert ceo_client.get(BASE + "summary/").json()["revenue"] == "500.00"

    with django_capture_on_commit_callbacks(execute=True):
        sale = record_sale(
            OrderFactory(status=OrderStatus.PAID), at("2026-04-01"), (ledger.product.D, 1, "30.00", "10.00")
        )
    after_sale = ceo_client.get(BASE + "summary/").json()
    with django_capture_on_commit_callbacks(execute=True):
        record_reversal(sale, at("2026-04-02"))
    after_reversal = ceo_client.get(BASE + "summary/").json()

    assert (after_sale["revenue"], after_sale["orders"]) == ("530.00", 5)
    assert (after_reversal["revenue"], after_reversal["orders"]) == ("500.00", 4)


def test_a_sale_not_yet_committed_changes_no_cached_answer_until_it_commits(
    ledger, ceo_client, django_capture_on_commit_callbacks
):
    ceo_client.get(BASE + "summary/")

    with django_capture_on_commit_callbacks() as commit:
        record_sale(
            OrderFactory(status=OrderStatus.PAID), at("2026-04-01"), (ledger.product.D, 1, "30.00", "10.00")
        )
    before_commit = ceo_client.get(BASE + "summary/").json()
    for callback in commit:
        callback()
    after_commit = ceo_client.get(BASE + "summary/").json()

    # The test's transaction never commits: the cached answer stands until the commit hook runs.
    assert before_commit["revenue"] == "500.00"
    assert after_commit["revenue"] == "530.00"


def test_a_new_product_shows_among_bottom_sellers_at_once(ledger, ceo_client):
    ceo_client.get(BASE + "bottom-products/")

    fresh = ProductFactory(sku="0-NEW", name="Brand new")
    bottom = ceo_client.get(BASE + "bottom-products/").json()

    assert {(row["rank"], row["sku"]) for row in bottom[:2]} == {(1, "0-NEW"), (1, "D")}
    assert fresh.pk in {row["product"] for row in bottom}


def test_different_filters_are_different_answers(ledger, ceo_client):
    everything = ceo_client.get(BASE + "summary/").json()
    books = ceo_client.get(BASE + "summary/", {"category": "books"}).json()

    assert (everything["revenue"], books["revenue"]) == ("500.00", "100.00")


def test_schema_documents_the_analytics_parameters(ceo_client):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    top = schema["paths"]["/api/v1/analytics/top-products/"]["get"]

    assert {parameter["name"] for parameter in top["parameters"]} >= {
        "start",
        "end",
        "category",
        "channel",
        "product",
        "by",
        "limit",
    }
    assert "0.2500" in top["description"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_query_count_does_not_grow_with_the_data(
    ledger, ceo_client, path, django_capture_on_commit_callbacks
):
    ceo_client.get("/api/v1/users/me/")  # the signed-in user comes from the auth cache from now on
    with CaptureQueriesContext(connection) as small:
        ceo_client.get(BASE + path, ENDPOINTS[path])
    with django_capture_on_commit_callbacks(execute=True):
        for day in ("2026-01-07", "2026-03-12"):
            for _ in range(6):  # new products, categories, orders, customers
                product = ProductFactory(category=CategoryFactory())
                record_sale(OrderFactory(status=OrderStatus.PAID), at(day), (product, 1, "10.00", "4.00"))

    with CaptureQueriesContext(connection) as large:
        response = ceo_client.get(BASE + path, ENDPOINTS[path])

    assert response.status_code == 200
    assert len(large) == len(small) <= 8
