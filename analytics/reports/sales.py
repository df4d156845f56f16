"""Reports of the sales as a whole: key figures, revenue over time, two periods compared,
per category, per channel, per discount code."""

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from analytics.forms import PERIOD_FIELDS, CompareForm, RevenueForm
from analytics.selectors import (
    category_sales,
    change_pct,
    channel_sales,
    paired_summaries,
    previous_filters,
    previous_revenue_by_code,
    previous_revenue_per_period,
    revenue_over_time,
    sales_by_category,
    sales_by_channel,
    sales_by_discount_code,
    sales_compare,
    sales_summary,
    with_previous_revenue,
)
from analytics.selectors.common import ZERO, SalesFilters, _period_start, _periods, _rounded

from .base import Column, Report, Table

PERCENT = Decimal("0.1")

SUMMARY_METRICS = (
    ("revenue", "Revenue"),
    ("cost", "Cost"),
    ("profit", "Profit"),
    ("margin", "Margin"),
    ("orders", "Orders"),
    ("units", "Units"),
    ("average_order_value", "Average order value"),
    ("customers", "Customers"),
)
# How each key figure reads (its kind of value, see reports.base.PRINTERS).
SUMMARY_KINDS = {
    "revenue": "money",
    "cost": "money",
    "profit": "money",
    "margin": "percent",
    "orders": "count",
    "units": "count",
    "average_order_value": "money",
    "customers": "count",
}


class SummaryReport(Report):
    question = "summary"
    table_name = "summary"
    title = "Key figures"
    compares = True
    columns = (
        Column("metric", "Metric", kind="words", on_page=False),  # the label says it in words
        Column("label", "Name"),
        Column("value", "Value", kind="count"),  # each row its own kind: SUMMARY_KINDS
    )
    comparison_columns = (
        Column("previous", "Previous", kind="count"),  # each row its own kind, as `value`
        Column("change_pct", "Change", kind="change"),
    )

    def compute(self) -> dict[str, Any]:
        if not self.compare:
            return dict(sales_summary(filters=self.filters))
        previous = previous_filters(self.filters, self.compare)
        if previous is None:  # all time (or an open end) has no span before it
            answer: dict[str, Any] = dict(sales_summary(filters=self.filters))
            return answer | {"previous": None, "change": None, "previous_start": None, "previous_end": None}
        now, before = paired_summaries(filters=self.filters, previous=previous)
        return dict(now) | {
            "previous": before,
            "change": {key: change_pct(now[key], before[key]) for key, _ in SUMMARY_METRICS},  # type: ignore[literal-required]
            "previous_start": previous.start,
            "previous_end": previous.end,
        }

    def rows(self, answer: dict[str, Any]) -> list[dict[str, Any]]:
        before, change = answer.get("previous"), answer.get("change")
        return [
            {
                "metric": key,
                "label": label,
                "value": answer[key],
                "previous": before[key] if before else None,
                "change_pct": change[key] if change else None,
            }
            for key, label in SUMMARY_METRICS
        ]

    def table(self, answer: Any) -> Table:
        table = super().table(answer)
        kinds = tuple(dict.fromkeys(("value", "previous"), SUMMARY_KINDS[row[0]]) for row in table.rows)
        return replace(table, row_kinds=kinds)


class OrderStatusReport(SummaryReport):
    """The summary's `status_counts` as a table (same cached answer)."""

    table_name = "status"
    title = "Orders placed, by status"
    columns = (Column("status", "Status", kind="words"), Column("orders", "Orders", kind="count"))

    def table_columns(self) -> tuple[Column, ...]:
        return self.columns  # the counts of this span only

    def rows(self, answer: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"status": status, "orders": count} for status, count in answer["status_counts"].items()]

    def table(self, answer: Any) -> Table:
        return Report.table(self, answer)


class RevenueReport(Report):
    question = "revenue"
    table_name = "revenue"
    title = "Revenue over time"
    form_class = RevenueForm
    columns = (
        Column("period", "Period", kind="date"),
        Column("revenue", "Revenue", kind="money"),
        Column("orders", "Orders", kind="count"),
        Column("units", "Units", kind="count"),
        Column("profit", "Profit", kind="money"),
        Column("running_total", "Running total", kind="money"),
        # The change against the bucket before: in money in the API, the CSV and the XLSX, in
        # percent with its up or down mark on the page, as every other change there reads.
        Column("change", "Change", kind="money", on_page=False),
        Column("change_pct", "Change", kind="change", downloaded=False),
    )

    compares = True
    comparison_columns = (Column("previous_revenue", "Previous revenue", kind="money"),)

    def params(self) -> dict[str, Any]:
        return {"group_by": self.data["group_by"]}

    def rows(self, answer: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each bucket with its change in percent of the bucket before, to one decimal like every
        change on the pages: none after an empty bucket; after one that refunded more than it
        sold, in percent of its size, so that the mark says which way revenue went."""
        rows = []
        for row in answer:
            change, before = row["change"], None if row["change"] is None else row["revenue"] - row["change"]
            percent = _rounded(Decimal(change) * 100 / abs(before), PERCENT) if before else None
            rows.append({**row, "change_pct": percent})
        return rows

    def compute(self) -> list[dict[str, Any]]:
        series = revenue_over_time(filters=self.filters, **self.params())
        if not self.compare:
            return series  # type: ignore[return-value]
        return _with_previous_buckets(series, self.filters, self.compare, self.data["group_by"])


class CompareReport(Report):
    question = "compare"
    table_name = "compare"
    title = "Period comparison"
    form_class = CompareForm
    columns = (
        Column("metric", "Metric", kind="words"),
        Column("period1", "Period 1", kind="money"),
        Column("period2", "Period 2", kind="money"),
        Column("difference", "Difference", kind="money"),
        Column("change_pct", "Change %", kind="percent_points"),
    )

    def params(self) -> dict[str, Any]:
        return {key: self.data[key] for key in PERIOD_FIELDS}

    def compute(self) -> dict[str, Any]:
        data = self.data
        return sales_compare(
            filters=self.filters,
            period1=(data["period1_start"], data["period1_end"]),
            period2=(data["period2_start"], data["period2_end"]),
        )

    def rows(self, answer: dict[str, Any]) -> list[dict[str, Any]]:
        """The two periods' days, then each total with its difference (period 2 less period 1)
        and its change in percent of period 1."""
        first, second = answer["period1"], answer["period2"]
        rows: list[dict[str, Any]] = [
            {
                "metric": day,
                "period1": first[day],
                "period2": second[day],
                "difference": None,
                "change_pct": None,
            }
            for day in ("start", "end")
        ]
        for metric in ("revenue", "orders", "units"):
            difference = second[metric] - first[metric]
            if metric == "revenue":  # the selector's own, rounded as the API gives it
                difference, change_pct = answer["difference"], answer["change_pct"]
            else:
                change_pct = _percent_of(difference, first[metric])
            rows.append(
                {
                    "metric": metric,
                    "period1": first[metric],
                    "period2": second[metric],
                    "difference": difference,
                    "change_pct": change_pct,
                }
            )
        return rows

    def table(self, answer: Any) -> Table:
        """Days read as dates, orders and units as counts, revenue as money."""
        table = super().table(answer)
        kind_of = {"start": "date", "end": "date", "orders": "count", "units": "count"}
        kinds = tuple(
            dict.fromkeys(("period1", "period2", "difference"), kind_of[row[0]]) if row[0] in kind_of else {}
            for row in table.rows
        )
        return replace(table, row_kinds=kinds)


def _with_previous_buckets(
    series: list[Any], filters: SalesFilters, compare: str, group_by: str
) -> list[dict[str, Any]]:
    """Each bucket with the revenue of the bucket at the same offset in the earlier span (None
    past its last bucket, or without an earlier span), read with one more query."""
    previous = previous_filters(filters, compare)
    if previous is None or previous.start is None or previous.end is None:
        return [{**row, "previous_revenue": None} for row in series]
    revenue = previous_revenue_per_period(previous, group_by)
    buckets = _periods(
        _period_start(previous.start, group_by), _period_start(previous.end, group_by), group_by
    )
    return [
        {**row, "previous_revenue": revenue.get(buckets[index], ZERO) if index < len(buckets) else None}
        for index, row in enumerate(series)
    ]


def _percent_of(part: int, whole: int) -> Decimal | None:
    """`part` in percent of `whole` to 2 places, as the selector gives revenue's change_pct."""
    return (Decimal(part * 100) / whole).quantize(Decimal("0.01"), ROUND_HALF_UP) if whole else None


class CategoryReport(Report):
    question = "by-category"
    table_name = "categories"
    title = "Sales by category"
    columns = (
        Column("rank", "Rank", kind="integer"),
        Column("category", "Category key", on_page=False),  # the page shows the name
        Column("name", "Category"),
        Column("revenue", "Revenue", kind="money"),
        Column("units", "Units", kind="count"),
        Column("profit", "Profit", kind="money"),
        Column("share", "Share", kind="percent"),
    )

    compares = True

    def compute(self) -> list[dict[str, Any]]:
        if not self.compare:
            return sales_by_category(filters=self.filters)  # type: ignore[return-value]
        rows, before = category_sales(self.filters, previous_filters(self.filters, self.compare))
        return with_previous_revenue(rows, "category", before)


class ChannelReport(Report):
    question = "by-channel"
    table_name = "channels"
    title = "Sales by channel"
    columns = (
        Column("rank", "Rank", kind="integer"),
        Column("channel", "Channel code", on_page=False),  # the page shows the name
        Column("name", "Channel"),
        Column("revenue", "Revenue", kind="money"),
        Column("orders", "Orders", kind="count"),
        Column("share", "Share", kind="percent"),
    )

    compares = True

    def compute(self) -> list[dict[str, Any]]:
        if not self.compare:
            return sales_by_channel(filters=self.filters)  # type: ignore[return-value]
        rows, before = channel_sales(self.filters, previous_filters(self.filters, self.compare))
        return with_previous_revenue(rows, "channel", before)


class DiscountCodeReport(Report):
    question = "discounts"
    table_name = "discounts"
    title = "Sales by discount code"
    columns = (
        Column("code", "Code", kind="discount_code"),
        Column("orders", "Orders", kind="count"),
        Column("discount", "Discount", kind="money"),
        Column("revenue", "Revenue", kind="money"),
        Column("average_order_value", "Average order", kind="money"),
        Column("share", "Share", kind="percent"),
    )

    compares = True

    def compute(self) -> list[dict[str, Any]]:
        rows = sales_by_discount_code(filters=self.filters)
        if not self.compare:
            return rows  # type: ignore[return-value]
        previous = previous_filters(self.filters, self.compare)
        return with_previous_revenue(rows, "code", previous_revenue_by_code(previous) if previous else None)
