"""Exact numbers from the hand-built ledger in conftest.py (worked out there)."""

from datetime import date
from decimal import Decimal

import pytest

from analytics.selectors import (
    SalesFilters,
    bottom_products,
    category_leaders,
    revenue_over_time,
    sales_by_category,
    sales_by_channel,
    sales_compare,
    sales_summary,
    top_products,
)
from catalog.selectors import category_descendant_ids
from catalog.tests.factories import channel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sales_source")]

ALL = SalesFilters()


def D(value: str) -> Decimal:
    return Decimal(value)


def in_category(category) -> SalesFilters:
    return SalesFilters(category_ids=tuple(sorted(category_descendant_ids(category=category))))


def test_summary_nets_reversals_and_takes_profit_from_cost_snapshots(ledger):
    summary = sales_summary(filters=ALL)

    assert summary == {
        "revenue": D("500.00"),
        "cost": D("271.00"),
        "profit": D("229.00"),
        "margin": D("0.4580"),
        # 5 orders sold, O4 reversed; pending and cancelled-before-payment orders have no sales
        "orders": 4,
        "units": 11,
        "average_order_value": D("125.00"),
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


def test_summary_dates_are_inclusive_whole_days(ledger):
    last_day = sales_summary(filters=SalesFilters(start=date(2026, 3, 25), end=date(2026, 3, 25)))

    assert (last_day["revenue"], last_day["orders"], last_day["units"]) == (D("20.00"), 1, 1)


def test_summary_of_a_window_with_only_a_reversal_is_negative(ledger):
    summary = sales_summary(filters=SalesFilters(start=date(2026, 3, 16), end=date(2026, 3, 22)))

    assert (summary["revenue"], summary["profit"], summary["orders"], summary["units"]) == (
        D("-60.00"),
        D("-45.00"),
        -1,
        -3,
    )
    assert summary["customers"] == 0


def test_summary_with_no_sales_has_zeros_and_no_margin(db):
    summary = sales_summary(filters=ALL)

    assert summary["revenue"] == D("0.00")
    assert summary["margin"] is None
    assert summary["average_order_value"] == D("0.00")
    assert summary["orders"] == summary["units"] == summary["customers"] == 0


def test_category_filter_includes_sub_categories(ledger):
    summary = sales_summary(filters=in_category(ledger.category.electronics))

    assert (summary["revenue"], summary["units"], summary["orders"]) == (D("400.00"), 6, 3)


def test_channel_and_product_filters(ledger):
    web = sales_summary(filters=SalesFilters(channel_id=channel("web").pk))
    phone_a = sales_summary(filters=SalesFilters(product_id=ledger.product.A.pk))

    assert (web["revenue"], web["orders"]) == (D("340.00"), 2)
    assert (phone_a["revenue"], phone_a["units"], phone_a["profit"]) == (D("200.00"), 2, D("80.00"))


def test_top_products_rank_ties_like_sql_rank_and_shares_add_up(ledger):
    ranking = top_products(filters=ALL, by="revenue", limit=10)

    assert [
        (row["rank"], row["sku"], row["revenue"], row["units"], row["profit"], row["share"])
        for row in ranking
    ] == [
        (1, "A", D("200.00"), 2, D("80.00"), D("0.4000")),
        (1, "B", D("200.00"), 4, D("80.00"), D("0.4000")),
        (3, "C", D("60.00"), 3, D("45.00"), D("0.1200")),
        (4, "H", D("40.00"), 2, D("24.00"), D("0.0800")),
    ]
    assert sum(row["share"] for row in ranking) == D("1")
    assert sum(row["revenue"] for row in ranking) == sales_summary(filters=ALL)["revenue"]
    assert ranking[0]["product"] == ledger.product.A.pk
    assert ranking[0]["name"] == "Phone A"


def test_top_products_by_units_and_limit_keeps_shares_of_the_whole(ledger):
    ranking = top_products(filters=ALL, by="units", limit=3)

    assert [(row["rank"], row["sku"], row["units"], row["share"]) for row in ranking] == [
        (1, "B", 4, D("0.4000")),
        (2, "C", 3, D("0.1200")),
        (3, "A", 2, D("0.4000")),
    ]


def test_bottom_products_include_active_products_that_sold_nothing(ledger):
    ranking = bottom_products(filters=ALL, by="revenue", limit=10)

    assert [(row["rank"], row["sku"], row["revenue"], row["units"], row["share"]) for row in ranking] == [
        (1, "D", D("0.00"), 0, D("0.0000")),
        (2, "H", D("40.00"), 2, D("0.0800")),
        (3, "C", D("60.00"), 3, D("0.1200")),
        (4, "A", D("200.00"), 2, D("0.4000")),
        (4, "B", D("200.00"), 4, D("0.4000")),
    ]


def test_bottom_products_in_a_category_list_only_its_unsold_products(ledger):
    books = bottom_products(filters=in_category(ledger.category.books), by="units", limit=2)
    electronics = bottom_products(filters=in_category(ledger.category.electronics), by="revenue", limit=10)

    assert [(row["rank"], row["sku"], row["units"]) for row in books] == [(1, "D", 0), (2, "H", 2)]
    # F (inactive) sold nothing but is not for sale: not listed.
    assert [(row["rank"], row["sku"]) for row in electronics] == [(1, "A"), (1, "B")]


def test_revenue_by_month_fills_empty_periods_with_running_total_and_change(ledger):
    series = revenue_over_time(
        filters=SalesFilters(start=date(2026, 1, 1), end=date(2026, 4, 30)), group_by="month"
    )

    assert [
        (
            row["period"],
            row["revenue"],
            row["orders"],
            row["units"],
            row["profit"],
            row["running_total"],
            row["change"],
        )
        for row in series
    ] == [
        (date(2026, 1, 1), D("280.00"), 2, 7, D("134.00"), D("280.00"), None),
        (date(2026, 2, 1), D("0.00"), 0, 0, D("0.00"), D("280.00"), D("-280.00")),
        (date(2026, 3, 1), D("220.00"), 2, 4, D("95.00"), D("500.00"), D("220.00")),
        (date(2026, 4, 1), D("0.00"), 0, 0, D("0.00"), D("500.00"), D("-220.00")),
    ]


def test_revenue_by_week_uses_lag_for_adjacent_periods_and_shows_reversals(ledger):
    series = revenue_over_time(
        filters=SalesFilters(start=date(2026, 3, 9), end=date(2026, 3, 29)), group_by="week"
    )

    assert [
        (row["period"], row["revenue"], row["orders"], row["units"], row["running_total"], row["change"])
        for row in series
    ] == [
        (date(2026, 3, 9), D("260.00"), 2, 6, D("260.00"), None),
        (date(2026, 3, 16), D("-60.00"), -1, -3, D("200.00"), D("-320.00")),
        (date(2026, 3, 23), D("20.00"), 1, 1, D("220.00"), D("80.00")),
    ]


def test_revenue_without_dates_spans_the_sales_and_adds_up_to_the_summary(ledger):
    series = revenue_over_time(filters=ALL, group_by="month")
    yearly = revenue_over_time(filters=ALL, group_by="year")

    assert [row["period"] for row in series] == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert sum(row["orders"] for row in series) == sales_summary(filters=ALL)["orders"]
    assert [(row["period"], row["revenue"], row["running_total"], row["change"]) for row in yearly] == [
        (date(2026, 1, 1), D("500.00"), D("500.00"), None)
    ]


def test_revenue_by_day_fills_days_around_a_sale(ledger):
    series = revenue_over_time(
        filters=SalesFilters(start=date(2026, 3, 9), end=date(2026, 3, 11)), group_by="day"
    )

    assert [(row["period"], row["revenue"], row["running_total"], row["change"]) for row in series] == [
        (date(2026, 3, 9), D("0.00"), D("0.00"), None),
        (date(2026, 3, 10), D("200.00"), D("200.00"), D("200.00")),
        (date(2026, 3, 11), D("0.00"), D("200.00"), D("-200.00")),
    ]


def test_revenue_with_no_sales_and_no_dates_is_empty(db):
    assert revenue_over_time(filters=ALL, group_by="day") == []


def test_compare_two_periods(ledger):
    comparison = sales_compare(
        filters=ALL,
        period1=(date(2026, 1, 1), date(2026, 1, 31)),
        period2=(date(2026, 3, 1), date(2026, 3, 31)),
    )

    assert comparison == {
        "period1": {
            "start": date(2026, 1, 1),
            "end": date(2026, 1, 31),
            "revenue": D("280.00"),
            "orders": 2,
            "units": 7,
        },
        "period2": {
            "start": date(2026, 3, 1),
            "end": date(2026, 3, 31),
            "revenue": D("220.00"),
            "orders": 2,
            "units": 4,
        },
        "difference": D("-60.00"),
        "change_pct": D("-21.43"),
    }


def test_compare_against_an_empty_period_has_no_percentage(ledger):
    comparison = sales_compare(
        filters=ALL,
        period1=(date(2026, 2, 1), date(2026, 2, 28)),
        period2=(date(2026, 1, 1), date(2026, 12, 31)),
    )

    assert (comparison["difference"], comparison["change_pct"]) == (D("500.00"), None)


def test_by_category_ranks_the_recorded_categories(ledger):
    rows = sales_by_category(filters=ALL)

    assert sorted(
        (row["rank"], row["category"], row["name"], row["revenue"], row["units"], row["profit"], row["share"])
        for row in rows
    ) == [
        (1, "electronics", "Electronics", D("200.00"), 4, D("80.00"), D("0.4000")),
        (1, "phones", "Phones", D("200.00"), 2, D("80.00"), D("0.4000")),
        (3, "books", "Books", D("100.00"), 5, D("69.00"), D("0.2000")),
    ]
    assert [row["rank"] for row in rows] == [1, 1, 3]


def test_by_channel_counts_net_orders(ledger):
    rows = sales_by_channel(filters=ALL)

    assert [(row["rank"], row["channel"], row["revenue"], row["orders"], row["share"]) for row in rows] == [
        (1, "web", D("340.00"), 2, D("0.6800")),
        (2, "retail", D("160.00"), 2, D("0.3200")),
        (3, "phone", D("0.00"), 0, D("0.0000")),
    ]


def test_category_leaders_rank_inside_each_category(ledger):
    leaders = category_leaders(filters=ALL, limit=1)
    two_per_category = category_leaders(filters=in_category(ledger.category.books), limit=2)

    assert [(row["category"], row["rank"], row["sku"], row["revenue"], row["units"]) for row in leaders] == [
        ("books", 1, "C", D("60.00"), 3),
        ("electronics", 1, "B", D("200.00"), 4),
        ("phones", 1, "A", D("200.00"), 2),
    ]
    assert [(row["rank"], row["sku"]) for row in two_per_category] == [(1, "C"), (2, "H")]


def test_product_rankings_over_dates_that_cut_months_count_exactly_those_days(ledger):
    # 10 Jan - 22 Mar: O2 (20 Jan), February (nothing), O3 (10 Mar), O4 sold 15 Mar and reversed 20 Mar.
    window = SalesFilters(start=date(2026, 1, 10), end=date(2026, 3, 22))

    ranking = top_products(filters=window, by="revenue", limit=10)

    assert [(row["rank"], row["sku"], row["revenue"], row["units"], row["share"]) for row in ranking] == [
        (1, "B", D("200.00"), 4, D("0.5882")),
        (2, "A", D("100.00"), 1, D("0.2941")),
        (3, "H", D("40.00"), 2, D("0.1176")),
        (4, "C", D("0.00"), 0, D("0.0000")),  # sold and reversed inside the window: listed, nets to zero
    ]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # open start, ends mid-March: January, February and 1-12 March
        (
            None,
            date(2026, 3, 12),
            [("A", D("200.00")), ("B", D("200.00")), ("C", D("40.00")), ("H", D("40.00"))],
        ),
        # inside one month, up to its last day (O5 at 23:30 on the 25th)
        (date(2026, 3, 11), date(2026, 3, 31), [("C", D("20.00"))]),
        # whole months only
        (date(2026, 2, 1), date(2026, 3, 31), [("A", D("100.00")), ("B", D("100.00")), ("C", D("20.00"))]),
        # starts mid-January, open end
        (
            date(2026, 1, 6),
            None,
            [("A", D("100.00")), ("B", D("200.00")), ("C", D("20.00")), ("H", D("40.00"))],
        ),
    ],
)
def test_product_revenue_over_any_dates_equals_the_ledger(ledger, start, end, expected):
    leaders = category_leaders(filters=SalesFilters(start=start, end=end), limit=10)

    assert sorted((row["sku"], row["revenue"]) for row in leaders) == expected
