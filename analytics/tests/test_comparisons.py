"""`compare=`: the earlier span of every figure (analytics.selectors.comparisons).

The ledger (conftest) between 2026-01-20 and 2026-03-10 (50 days) holds O2 (retail, B and H,
140.00) and O3 (web, A and B, 200.00): 340.00. The previous period, 2025-12-01 to 2026-01-19,
holds O1 (web, A and C, 140.00).
"""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from analytics.selectors import change_pct, previous_span

pytestmark = pytest.mark.django_db

BASE = "/api/v1/analytics/"
SPAN = {"start": "2026-01-20", "end": "2026-03-10"}
# The answers of the code before `compare` existed, for these filters (product ids as <SKU>).
BEFORE = json.loads((Path(__file__).parent / "answers_without_compare.json").read_text())
PARAMS = {
    "summary/": {"start": "2026-01-20", "end": "2026-03-10"},
    "top-products/": {"start": "2026-01-01", "end": "2026-03-31"},
    "bottom-products/": {"start": "2026-01-01", "end": "2026-03-31", "limit": 3},
    "revenue/": {"start": "2026-01-20", "end": "2026-03-10", "group_by": "month"},
    "by-category/": {"start": "2026-01-20", "end": "2026-03-10"},
    "by-channel/": {},
    "discounts/": {"end": "2026-03-20"},
}


@pytest.mark.parametrize(
    ("start", "end", "compare", "expected"),
    [
        # one day: the day before, or the same day a year earlier
        ("2026-03-10", "2026-03-10", "previous_period", ("2026-03-09", "2026-03-09")),
        ("2026-03-10", "2026-03-10", "previous_year", ("2025-03-10", "2025-03-10")),
        # seven days: the seven before
        ("2026-03-10", "2026-03-16", "previous_period", ("2026-03-03", "2026-03-09")),
        # a whole month: as many days just before (31 days of March reach back into January)
        ("2026-03-01", "2026-03-31", "previous_period", ("2026-01-29", "2026-02-28")),
        ("2026-03-01", "2026-03-31", "previous_year", ("2025-03-01", "2025-03-31")),
        # 29 February a year earlier is 28 February
        ("2028-02-29", "2028-02-29", "previous_year", ("2027-02-28", "2027-02-28")),
        ("2028-02-01", "2028-02-29", "previous_year", ("2027-02-01", "2027-02-28")),
        ("2028-02-29", "2028-03-01", "previous_period", ("2028-02-27", "2028-02-28")),
    ],
)
def test_previous_spans(start, end, compare, expected):
    assert previous_span(date.fromisoformat(start), date.fromisoformat(end), compare) == tuple(
        date.fromisoformat(day) for day in expected
    )


def test_all_time_and_open_spans_have_no_previous_span():
    assert previous_span(None, None, "previous_period") is None
    assert previous_span(date(2026, 1, 1), None, "previous_year") is None
    assert previous_span(None, date(2026, 1, 1), "previous_period") is None


def test_change_pct_has_one_decimal_and_is_null_against_zero():
    assert change_pct(Decimal("340.00"), Decimal("140.00")) == Decimal("142.9")
    assert change_pct(Decimal("100.00"), Decimal("100.00")) == Decimal("0.0")
    assert change_pct(Decimal("0.00"), Decimal("140.00")) == Decimal("-100.0")
    assert change_pct(Decimal("50.00"), Decimal("0.00")) is None
    assert change_pct(5, None) is None


def test_summary_compared_with_the_previous_period(ledger, ceo_client, sales_source):
    answer = ceo_client.get(BASE + "summary/", {**SPAN, "compare": "previous_period"}).json()
    before = ceo_client.get(BASE + "summary/", {"start": "2025-12-01", "end": "2026-01-19"}).json()

    assert answer["revenue"] == "340.00"
    assert (answer["previous_start"], answer["previous_end"]) == ("2025-12-01", "2026-01-19")
    assert answer["previous"] == before  # every key, the order statuses too
    assert before["revenue"] == "140.00"
    assert answer["change"] == {
        "revenue": "142.9",
        "cost": "180.0",
        "profit": "105.7",
        "margin": "-15.3",
        "orders": "100.0",
        "units": "133.3",
        "average_order_value": "21.4",
        "customers": "100.0",
    }


def test_summary_change_is_null_against_an_empty_span(ledger, ceo_client, sales_source):
    # 2025 sold nothing
    answer = ceo_client.get(BASE + "summary/", {**SPAN, "compare": "previous_year"}).json()

    assert (answer["previous_start"], answer["previous_end"]) == ("2025-01-20", "2025-03-10")
    assert answer["previous"]["revenue"] == "0.00"
    assert set(answer["change"].values()) == {None}


def test_all_time_has_no_previous_span(ledger, ceo_client):
    answer = ceo_client.get(BASE + "summary/", {"compare": "previous_period"}).json()
    assert answer["revenue"] == "500.00"
    assert [answer[key] for key in ("previous", "change", "previous_start", "previous_end")] == [None] * 4

    rows = ceo_client.get(BASE + "by-channel/", {"compare": "previous_year"}).json()
    assert {(row["previous_revenue"], row["change_pct"]) for row in rows} == {(None, None)}


def test_rows_gain_the_previous_revenue_and_its_change(ledger, ceo_client, sales_source):
    compared = {**SPAN, "compare": "previous_period"}

    categories = ceo_client.get(BASE + "by-category/", compared).json()
    assert [(r["category"], r["revenue"], r["previous_revenue"], r["change_pct"]) for r in categories] == [
        ("electronics", "200.00", "0.00", None),  # nothing before: no percentage
        ("phones", "100.00", "100.00", "0.0"),
        ("books", "40.00", "40.00", "0.0"),
    ]
    channels = ceo_client.get(BASE + "by-channel/", compared).json()
    assert [(r["channel"], r["previous_revenue"], r["change_pct"]) for r in channels] == [
        ("web", "140.00", "42.9"),
        ("retail", "0.00", None),
    ]
    top = ceo_client.get(BASE + "top-products/", compared).json()
    assert [(r["sku"], r["revenue"], r["previous_revenue"], r["change_pct"]) for r in top] == [
        ("B", "200.00", "0.00", None),
        ("A", "100.00", "100.00", "0.0"),
        ("H", "40.00", "0.00", None),
    ]
    bottom = ceo_client.get(BASE + "bottom-products/", {**compared, "limit": 2}).json()
    assert [(r["sku"], r["previous_revenue"], r["change_pct"]) for r in bottom] == [
        ("C", "40.00", "-100.0"),  # sold only before
        ("D", "0.00", None),  # never sold
    ]
    discounts = ceo_client.get(BASE + "discounts/", compared).json()
    assert [(r["code"], r["revenue"], r["previous_revenue"], r["change_pct"]) for r in discounts] == [
        (None, "340.00", "140.00", "142.9")
    ]


def test_revenue_buckets_gain_the_bucket_at_the_same_offset(ledger, ceo_client, sales_source):
    rows = ceo_client.get(
        BASE + "revenue/", {**SPAN, "group_by": "month", "compare": "previous_period"}
    ).json()

    # Jan, Feb, Mar 2026 against Dec 2025 and Jan 2026 (up to the 19th): March has no counterpart
    assert [(r["period"], r["revenue"], r["previous_revenue"]) for r in rows] == [
        ("2026-01-01", "140.00", "0.00"),
        ("2026-02-01", "0.00", "140.00"),
        ("2026-03-01", "200.00", None),
    ]
    days = ceo_client.get(
        BASE + "revenue/",
        {"start": "2026-03-10", "end": "2026-03-11", "group_by": "day", "compare": "previous_period"},
    ).json()
    assert [(r["period"], r["previous_revenue"]) for r in days] == [
        ("2026-03-10", "0.00"),
        ("2026-03-11", "0.00"),
    ]


@pytest.mark.parametrize("path", PARAMS)
def test_answers_without_compare_are_byte_for_byte_as_before(ledger, ceo_client, path):
    ids = {str(product.pk): f"<{sku}>" for sku, product in vars(ledger.product).items()}
    for params in (PARAMS[path], {**PARAMS[path], "compare": ""}, {**PARAMS[path], "compare": "none"}):
        body = ceo_client.get(BASE + path, params).content.decode()
        for pk, name in ids.items():
            body = body.replace(f'"product":{pk},', f'"product":{name},')
        assert body == BEFORE[path]


@pytest.mark.parametrize("path", [*PARAMS, "category-leaders/", "abc/", "customers/summary/"])
def test_an_unknown_comparison_answers_400(ledger, ceo_client, path):
    response = ceo_client.get(BASE + path, {**SPAN, "compare": "last_week"})

    assert response.status_code == 400
    assert "compare" in response.json()


def test_compare_endpoint_takes_no_compare(ledger, ceo_client):
    params = {
        "period1_start": "2026-01-01",
        "period1_end": "2026-01-31",
        "period2_start": "2026-03-01",
        "period2_end": "2026-03-31",
    }
    assert ceo_client.get(BASE + "compare/", {**params, "compare": "previous_year"}).json() == (
        ceo_client.get(BASE + "compare/", params).json()
    )


@pytest.mark.parametrize("path", PARAMS)
@pytest.mark.parametrize("sales", ["rollups", "ledger"])
def test_a_comparison_costs_one_query_more_at_most(
    ledger, ceo_client, path, sales, monkeypatch, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from analytics.selectors import sources
    from orders.models import SalesRecord

    if sales == "ledger":  # a product filter: the ledger answers what it must
        monkeypatch.setattr(sources, "_source", lambda rollup, *, exact: SalesRecord)
    ceo_client.get("/api/v1/users/me/")  # the signed-in user comes from the auth cache from now on
    params = {**PARAMS[path], **SPAN}
    with CaptureQueriesContext(connection) as without:
        ceo_client.get(BASE + path, params)
    with django_assert_max_num_queries(len(without) + 1):
        response = ceo_client.get(BASE + path, {**params, "compare": "previous_year"})
    assert response.status_code == 200


def test_a_comparison_is_its_own_cached_answer(ledger, ceo_client):
    plain = ceo_client.get(BASE + "by-channel/", SPAN).json()
    compared = ceo_client.get(BASE + "by-channel/", {**SPAN, "compare": "previous_period"}).json()
    yearly = ceo_client.get(BASE + "by-channel/", {**SPAN, "compare": "previous_year"}).json()

    assert "change_pct" not in plain[0]
    assert compared[0]["previous_revenue"] == "140.00"
    assert yearly[0]["previous_revenue"] == "0.00"


def test_spans_longer_than_a_year_overlap_their_previous_year_and_count_in_both(
    ledger, ceo_client, sales_source
):
    # 2026-01-01..2027-03-31 against 2025-01-01..2026-03-31: every sale is in both
    answer = ceo_client.get(
        BASE + "summary/", {"start": "2026-01-01", "end": "2027-03-31", "compare": "previous_year"}
    ).json()
    before = ceo_client.get(BASE + "summary/", {"start": "2025-01-01", "end": "2026-03-31"}).json()

    assert answer["previous"] == before
    assert before["revenue"] == answer["revenue"] == "500.00"
    assert set(answer["change"].values()) == {"0.0"}


@pytest.mark.django_db
@pytest.mark.parametrize("compare", ["previous_period", "previous_year"])
def test_a_span_whose_earlier_span_would_start_before_year_one_has_none(ceo_client, compare):
    """Found by the fuzzer: start=0094-04-23 with the previous period was a 500 (date overflow)."""
    response = ceo_client.get(
        f"/api/v1/analytics/bottom-products/?start=0001-01-01&end=2026-12-08&compare={compare}"
    )

    assert response.status_code == 200
    assert all(row["change_pct"] is None for row in response.json())


@pytest.mark.parametrize("path", ["by-channel/", "by-category/"])
def test_a_key_sold_only_in_the_earlier_span_is_no_row_and_ranks_and_shares_stay_todays(
    ledger, ceo_client, sales_source, path
):
    """Both spans are read in one aggregate: the earlier span's keys must not join today's rows."""
    span = {"start": "2026-03-11", "end": "2026-03-25"}  # the web sold on 10 March, just before
    plain = ceo_client.get(BASE + path, span).json()
    compared = ceo_client.get(BASE + path, {**span, "compare": "previous_period"}).json()

    assert [{key: row[key] for key in plain[0]} for row in compared] == plain
    if path == "by-channel/":
        assert [(r["channel"], r["share"], r["previous_revenue"], r["change_pct"]) for r in compared] == [
            ("retail", "1.0000", "0.00", None),
            ("phone", "0.0000", "0.00", None),  # sold and reversed: a row, at nothing
        ]
    else:
        assert "electronics" not in {row["category"] for row in compared}  # B sold on 10 March only
        assert [(r["category"], r["previous_revenue"]) for r in compared] == [("books", "0.00")]
