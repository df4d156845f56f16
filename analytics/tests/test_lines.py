"""The drill-down to the sales lines: GET /api/v1/analytics/lines/ (roles, exact lines newest
first, pages, filters, totals equal to the summary's) and the selector's batches."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.selectors import LineFilters, SalesFilters, sales_line_batches, sales_line_totals
from orders.models import OrderStatus, SalesRecord
from orders.tests.factories import OrderFactory

from .conftest import at, record_sale
from .test_api import sales_table_queries

pytestmark = pytest.mark.django_db

LINES = "/api/v1/analytics/lines/"


@pytest.mark.parametrize(
    ("role", "expected"), [("anonymous", 401), ("customer", 403), ("salesperson", 200), ("ceo", 200)]
)
def test_role_matrix(ledger, role_clients, role, expected):
    with CaptureQueriesContext(connection) as queries:
        response = role_clients[role].get(LINES, {"kind": "sale"})

    assert response.status_code == expected
    if expected != 200:
        assert sales_table_queries(queries) == []  # refused before any work
        assert set(response.json()) == {"detail", "code"}
        assert "cost" not in response.content.decode()
    else:
        assert response.json()["count"] == 8


def test_lines_newest_first_with_reversals_negative(ledger, ceo_client):
    response = ceo_client.get(LINES, {"page_size": 3})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 9
    assert body["totals"] == {"quantity": 11, "revenue": "500.00", "cost": "271.00"}
    assert body["previous"] is None
    assert body["next"] == "http://testserver/api/v1/analytics/lines/?page=2&page_size=3"
    _, y, z = ledger.customers
    c = ledger.product.C
    o5, o4 = (SalesRecord.objects.filter(customer=who).latest("id").order for who in (y, z))
    line = {"product": c.pk, "sku": "C", "category": "books"}
    assert body["results"] == [
        {
            "id": body["results"][0]["id"],
            "sold_at": "2026-03-25T23:30:00Z",
            "kind": "sale",
            "order": o5.pk,
            "order_number": o5.number,
            **line,
            "channel": "retail",
            "customer": y.pk,
            "quantity": 1,
            "revenue": "20.00",
            "cost": "5.00",
        },
        {
            "id": body["results"][1]["id"],
            "sold_at": "2026-03-20T12:00:00Z",
            "kind": "reversal",
            "order": o4.pk,
            "order_number": o4.number,
            **line,
            "channel": "phone",
            "customer": z.pk,
            "quantity": -3,
            "revenue": "-60.00",
            "cost": "-15.00",
        },
        {
            "id": body["results"][2]["id"],
            "sold_at": "2026-03-15T12:00:00Z",
            "kind": "sale",
            "order": o4.pk,
            "order_number": o4.number,
            **line,
            "channel": "phone",
            "customer": z.pk,
            "quantity": 3,
            "revenue": "60.00",
            "cost": "15.00",
        },
    ]


def test_pages_cover_every_line_once(ledger, salesperson_client):
    first = salesperson_client.get(LINES, {"page_size": 4}).json()
    second = salesperson_client.get(first["next"]).json()
    third = salesperson_client.get(second["next"]).json()

    ids = [line["id"] for page in (first, second, third) for line in page["results"]]
    assert ids == list(SalesRecord.objects.order_by("-sold_at", "-id").values_list("id", flat=True))
    assert third["next"] is None
    assert second["previous"] == "http://testserver/api/v1/analytics/lines/?page_size=4"
    assert third["previous"] == "http://testserver/api/v1/analytics/lines/?page=2&page_size=4"
    assert first["totals"] == second["totals"] == third["totals"]  # of every line, not the page
    # the two lines of one payment share sold_at: the id breaks the tie, so no page repeats one
    assert len(set(ids)) == 9
    assert salesperson_client.get(LINES, {"page_size": 4, "page": 4}).status_code == 404


def test_kind_and_customer_filters(ledger, ceo_client):
    x, _, z = ledger.customers

    reversals = ceo_client.get(LINES, {"kind": "reversal"}).json()
    sales = ceo_client.get(LINES, {"kind": "sale"}).json()
    of_x = ceo_client.get(LINES, {"customer": x.pk}).json()
    of_z = ceo_client.get(LINES, {"customer": z.pk}).json()

    assert [line["kind"] for line in reversals["results"]] == ["reversal"]
    assert reversals["totals"] == {"quantity": -3, "revenue": "-60.00", "cost": "-15.00"}
    assert sales["count"] == 8
    assert sales["totals"] == {"quantity": 14, "revenue": "560.00", "cost": "286.00"}
    assert {line["customer"] for line in of_x["results"]} == {x.pk}
    assert of_x["totals"] == {"quantity": 6, "revenue": "340.00", "cost": "190.00"}
    assert of_z["count"] == 2
    assert of_z["totals"] == {"quantity": 0, "revenue": "0.00", "cost": "0.00"}  # sold, then cancelled
    assert ceo_client.get(LINES, {"customer": 10**9}).json()["count"] == 0


@pytest.fixture
def frozen_now(monkeypatch):
    """`period` presets count from today: 1 April 2026, so previous_month is March."""
    monkeypatch.setattr("analytics.forms.timezone.now", lambda: datetime(2026, 4, 1, 0, 30, tzinfo=UTC))


@pytest.mark.usefixtures("frozen_now")
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"channel": "web"},
        {"category": "electronics"},  # with its sub-category phones
        {"category": "books", "channel": "phone"},
        {"product": "A"},  # the summary reads the ledger for a product
        {"product": "C", "start": "2026-03-01", "end": "2026-03-20"},
        {"start": "2026-03-15", "end": "2026-03-25"},  # the last minute of the 25th counts
        {"period": "previous_month"},
        {"period": "previous_month", "category": "phones", "channel": "web"},
    ],
    ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()) or "all",
)
def test_totals_are_the_summarys_figures_for_the_same_filters(ledger, sales_source, ceo_client, params):
    if "product" in params:
        params = {**params, "product": getattr(ledger.product, params["product"]).pk}

    summary = ceo_client.get("/api/v1/analytics/summary/", params).json()
    lines = ceo_client.get(LINES, params).json()

    assert lines["totals"] == {
        "quantity": summary["units"],
        "revenue": summary["revenue"],
        "cost": summary["cost"],
    }
    assert Decimal(lines["totals"]["revenue"]) == sum(Decimal(line["revenue"]) for line in lines["results"])


@pytest.mark.usefixtures("frozen_now")
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"channel": "web"},
        {"category": "electronics"},
        {"product": "C"},  # sold, and reversed
        {"product": "A", "start": "2026-01-01", "end": "2026-03-09"},  # a whole month and days
        {"period": "previous_month", "channel": "phone"},
        {"start": "2026-03-20", "end": "2026-03-20"},  # a reversal's day
        {"customer": "z"},  # the ledger answers the customer and the kind filters
        {"kind": "sale", "channel": "web"},
        {"kind": "reversal"},
    ],
    ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()) or "all",
)
def test_count_and_totals_are_the_listed_lines_on_the_rollups_and_the_ledger(
    ledger, sales_source, ceo_client, params
):
    if "product" in params:
        params = {**params, "product": getattr(ledger.product, params["product"]).pk}
    if "customer" in params:
        params = {**params, "customer": ledger.customers[2].pk}

    body = ceo_client.get(LINES, {**params, "page_size": 100}).json()

    listed = body["results"]
    assert body["count"] == len(listed)
    assert body["totals"] == {
        "quantity": sum(line["quantity"] for line in listed),
        "revenue": str(sum((Decimal(line["revenue"]) for line in listed), Decimal("0.00"))),
        "cost": str(sum((Decimal(line["cost"]) for line in listed), Decimal("0.00"))),
    }


@pytest.mark.parametrize(
    ("filters", "table"),
    [
        (LineFilters(SalesFilters()), "orders_dailysales"),
        (LineFilters(SalesFilters(channel_id=1, start=date(2026, 1, 1))), "orders_dailysales"),
        (LineFilters(SalesFilters(product_id=1)), "orders_productsales"),
        (LineFilters(SalesFilters(), customer_id=1), "orders_salesrecord"),
        (LineFilters(SalesFilters(), kind="reversal"), "orders_salesrecord"),
    ],
)
def test_totals_read_a_rollup_unless_a_customer_or_a_kind_is_asked_for(ledger, filters, table):
    """A rollup's rows cost the same however many lines they sum (a million-line ledger's totals
    in milliseconds); no rollup is kept per customer or kind."""
    with CaptureQueriesContext(connection) as queries:
        sales_line_totals(filters=filters)

    assert [table in query["sql"] for query in queries] == [True]
    assert sales_table_queries(queries) == [queries[0]["sql"]]  # and no other sales table


def test_the_sales_totals_are_the_rollups_less_the_reversals(ledger):
    """Sales are most of the ledger: their totals are every line's (the rollup) less the few
    reversals' (the ledger, on their partial index), never a sum over most of the ledger."""
    with CaptureQueriesContext(connection) as queries:
        count, totals = sales_line_totals(filters=LineFilters(SalesFilters(channel_id=1), kind="sale"))

    assert ["orders_dailysales" in query["sql"] for query in queries] == [True, False]
    assert '"quantity" < 0' in queries[1]["sql"]  # the reversals alone
    listed = SalesRecord.objects.filter(channel_id=1, quantity__gt=0)
    assert count == listed.count()
    assert totals["quantity"] == sum(listed.values_list("quantity", flat=True))


@pytest.mark.parametrize("params", [{}, {"channel": "retail"}, {"category": "books"}])
def test_a_customers_totals_are_their_rfm_revenue(ledger, sales_source, ceo_client, params):
    """The summary takes no customer: RFM's revenue per customer is the figure to drill into."""
    rfm = ceo_client.get("/api/v1/analytics/customers/rfm/", {"as_of": "2026-03-31", **params}).json()

    assert rfm["customers"]
    for row in rfm["customers"]:
        lines = ceo_client.get(LINES, {"customer": row["customer"], "end": "2026-03-31", **params}).json()
        assert lines["totals"]["revenue"] == row["revenue"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "refund"}, "kind"),
        ({"customer": "abc"}, "customer"),
        ({"customer": "0"}, "customer"),
        ({"customer": "1.5"}, "customer"),
        ({"customer": str(2**63)}, "customer"),
        ({"channel": "fax"}, "channel"),
        ({"category": "nope"}, "category"),
        ({"product": "x"}, "product"),
        ({"period": "fortnight"}, "period"),
        ({"start": "2026-03-31", "end": "2026-03-01"}, "end"),
        ({"start": "31/03/2026"}, "start"),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_bad_filters_are_400_with_the_field(ledger, ceo_client, params, field):
    response = ceo_client.get(LINES, params)

    assert response.status_code == 400
    assert field in response.json()


def test_a_page_past_the_last_or_not_a_number_is_404(ledger, ceo_client):
    assert ceo_client.get(LINES, {"page": "2"}).status_code == 404
    assert ceo_client.get(LINES, {"page": "zero"}).status_code == 404
    assert ceo_client.get(LINES, {"page": "1"}).status_code == 200
    assert ceo_client.get(LINES, {"kind": "reversal", "customer": 10**9, "page": "1"}).json()["count"] == 0


def _more_sales(ledger, count: int) -> None:
    web = SalesRecord.objects.filter(channel__code="web").first().channel
    for day in range(count):
        order = OrderFactory(customer=ledger.customers[0], channel=web, status=OrderStatus.PAID)
        record_sale(order, at(f"2026-02-{day % 28 + 1:02d}"), (ledger.product.B, 1, "50.00", "30.00"))


def test_a_page_costs_the_same_queries_however_many_lines(ledger, ceo_client, django_assert_max_num_queries):
    params = {"category": "electronics", "channel": "web", "product": ledger.product.B.pk, "customer": 1}
    with CaptureQueriesContext(connection) as few:
        assert ceo_client.get(LINES, {**params, "page_size": 100}).status_code == 200
    _more_sales(ledger, 40)

    with django_assert_max_num_queries(len(few)):
        body = ceo_client.get(LINES, {"page_size": 100}).json()
    with django_assert_max_num_queries(len(few)):
        ceo_client.get(LINES, {**params, "page_size": 100, "customer": ledger.customers[0].pk})

    assert body["count"] == 49
    assert len(body["results"]) == 49
    # the sales tables are read three times: the rollup's totals, the reversals', the page
    with CaptureQueriesContext(connection) as queries:
        ceo_client.get(LINES, {"page_size": 10, "channel": "web", "kind": "sale"})
    assert len(sales_table_queries(queries)) == 3


def test_batches_walk_every_line_newest_first_once(ledger):
    _more_sales(ledger, 5)
    everything = LineFilters(sales=SalesFilters())

    batches = list(sales_line_batches(filters=everything, batch_size=2))

    assert all(len(batch) == 2 for batch in batches[:-1])
    ids = [line["id"] for batch in batches for line in batch]
    assert ids == list(SalesRecord.objects.order_by("-sold_at", "-id").values_list("id", flat=True))
    reversals = LineFilters(sales=SalesFilters(), kind="reversal")
    assert [line["quantity"] for batch in sales_line_batches(filters=reversals) for line in batch] == [-3]
