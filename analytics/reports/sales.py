"""Reports of the sales as a whole: key figures, revenue over time, two periods compared,
per category, per channel, per discount code."""

from typing import Any

from analytics.forms import PERIOD_FIELDS, CompareForm, RevenueForm
from analytics.selectors import (
    revenue_over_time,
    sales_by_category,
    sales_by_channel,
    sales_by_discount_code,
    sales_compare,
    sales_summary,
)

from .base import Column, Report

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


class SummaryReport(Report):
    question = "summary"
    table_name = "summary"
    title = "Key figures"
    columns = (Column("metric", "Metric"), Column("label", "Name"), Column("value", "Value", numeric=True))

    def compute(self) -> dict[str, Any]:
        return sales_summary(filters=self.filters)

    def rows(self, answer: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"metric": key, "label": label, "value": answer[key]} for key, label in SUMMARY_METRICS]


class OrderStatusReport(SummaryReport):
    """The summary's `status_counts` as a table (same cached answer)."""

    table_name = "status"
    title = "Orders placed, by status"
    columns = (Column("status", "Status"), Column("orders", "Orders", numeric=True))

    def rows(self, answer: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"status": status, "orders": count} for status, count in answer["status_counts"].items()]


class RevenueReport(Report):
    question = "revenue"
    table_name = "revenue"
    title = "Revenue over time"
    form_class = RevenueForm
    columns = (
        Column("period", "Period"),
        Column("revenue", "Revenue", numeric=True),
        Column("orders", "Orders", numeric=True),
        Column("units", "Units", numeric=True),
        Column("profit", "Profit", numeric=True),
        Column("running_total", "Running total", numeric=True),
        Column("change", "Change", numeric=True),
    )

    def params(self) -> dict[str, Any]:
        return {"group_by": self.data["group_by"]}

    def compute(self) -> list[dict[str, Any]]:
        return revenue_over_time(filters=self.filters, **self.params())


class CompareReport(Report):
    question = "compare"
    table_name = "compare"
    title = "Period comparison"
    form_class = CompareForm
    columns = (
        Column("metric", "Metric"),
        Column("period1", "Period 1", numeric=True),
        Column("period2", "Period 2", numeric=True),
        Column("difference", "Difference", numeric=True),
        Column("change_pct", "Change %", numeric=True),
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
        rows = []
        for metric in ("start", "end", "revenue", "orders", "units"):
            rows.append(
                {
                    "metric": metric,
                    "period1": answer["period1"][metric],
                    "period2": answer["period2"][metric],
                    "difference": answer["difference"] if metric == "revenue" else None,
                    "change_pct": answer["change_pct"] if metric == "revenue" else None,
                }
            )
        return rows


class CategoryReport(Report):
    question = "by-category"
    table_name = "categories"
    title = "Sales by category"
    columns = (
        Column("rank", "Rank", numeric=True),
        Column("category", "Category"),
        Column("name", "Name"),
        Column("revenue", "Revenue", numeric=True),
        Column("units", "Units", numeric=True),
        Column("profit", "Profit", numeric=True),
        Column("share", "Share", numeric=True),
    )

    def compute(self) -> list[dict[str, Any]]:
        return sales_by_category(filters=self.filters)


class ChannelReport(Report):
    question = "by-channel"
    table_name = "channels"
    title = "Sales by channel"
    columns = (
        Column("rank", "Rank", numeric=True),
        Column("channel", "Channel"),
        Column("name", "Name"),
        Column("revenue", "Revenue", numeric=True),
        Column("orders", "Orders", numeric=True),
        Column("share", "Share", numeric=True),
    )

    def compute(self) -> list[dict[str, Any]]:
        return sales_by_channel(filters=self.filters)


class DiscountCodeReport(Report):
    question = "discounts"
    table_name = "discounts"
    title = "Sales by discount code"
    columns = (
        Column("code", "Code"),
        Column("orders", "Orders", numeric=True),
        Column("discount", "Discount", numeric=True),
        Column("revenue", "Revenue", numeric=True),
        Column("average_order_value", "Average order", numeric=True),
        Column("share", "Share", numeric=True),
    )

    def compute(self) -> list[dict[str, Any]]:
        return sales_by_discount_code(filters=self.filters)
