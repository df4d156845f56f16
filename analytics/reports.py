"""One small class per report table, in the manner of django-oscar's dashboard reports.

A report knows its question (a selector, cached), the form that validates its filters and
how to lay its answer out as a table. The JSON API serialises `answer()`; the HTML pages
render `table()`; the CSV download writes the same table. So all three show the same
numbers, rounded once, in the selectors.
"""

import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any, ClassVar

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from analytics.cache import cached_answer
from analytics.forms import (
    PERIOD_FIELDS,
    AbcForm,
    CategoryLeadersForm,
    CompareForm,
    InventoryForm,
    ProductRankingForm,
    RevenueForm,
    RfmForm,
    SalesFilterForm,
)
from analytics.results import (
    AbcProduct,
    Cohort,
    CustomerPeriod,
    InventoryProduct,
    Rfm,
)
from analytics.selectors import (
    CustomerMonths,
    abc_analysis,
    bottom_products,
    category_leaders,
    customer_cohorts,
    customer_months,
    customer_rfm,
    customer_summary,
    inventory_insight,
    revenue_over_time,
    sales_by_category,
    sales_by_channel,
    sales_by_discount_code,
    sales_compare,
    sales_summary,
    top_products,
)
from catalog.tabular import write_xlsx
from salesbackend.spreadsheets import spreadsheet_safe


@dataclass(frozen=True)
class Column:
    key: str  # the JSON field name, also the CSV header
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    title: str
    name: str
    columns: tuple[Column, ...]
    rows: list[list[str]]

    def cells(self) -> list[list[tuple[Column, str]]]:
        """The rows as a page shows them: fractions as percentages, money with its currency
        (CSV, XLSX and the JSON API keep the plain numbers)."""
        return [
            [(column, display(column.key, value)) for column, value in zip(self.columns, row, strict=True)]
            for row in self.rows
        ]

    def body_html(self) -> SafeString:
        """The cells as the page's table rows. Built here rather than in the template: a
        template loop takes about 150 ms over the 16,000 cells of a 2,000-product table."""
        return mark_safe(  # noqa: S308 - every value is escaped here
            "".join(
                "<tr>"
                + "".join(
                    f'<td class="num">{escape(value)}</td>' if column.numeric else f"<td>{escape(value)}</td>"
                    for column, value in row
                )
                + "</tr>"
                for row in self.cells()
            )
        )


# How a page shows a column's numbers, by key (the answers name them alike everywhere).
MONEY_KEYS = frozenset(
    {"revenue", "cost", "profit", "discount", "average_order_value", "revenue_per_customer", "running_total",
     "change", "difference", "period1", "period2"}
)  # fmt: skip
RATIO_KEYS = frozenset({"share", "margin", "cumulative_share", "repeat_rate"})


def display(key: str, value: str) -> str:
    if value == "":
        return value
    if key in RATIO_KEYS or key.startswith("month_"):  # cohort retention columns are shares
        return f"{Decimal(value) * 100:.1f} %"
    if key in MONEY_KEYS:
        return f"{value} {settings.SALES_CURRENCY}"
    return value


def cell(value: Any) -> str:
    """Values are already rounded by the selectors; print them as the JSON API does."""
    return "" if value is None else str(value)


class Report:
    question: ClassVar[str]  # the analytics question: cache key, like the API path
    table_name: ClassVar[str]  # `?table=` on a report page with several tables
    title: ClassVar[str]
    form_class: ClassVar[type[SalesFilterForm]] = SalesFilterForm
    columns: ClassVar[tuple[Column, ...]]
    reads_catalog: ClassVar[bool] = False

    def __init__(self, form: SalesFilterForm):
        """`form` is a valid form of `form_class` (or a subclass: pages share one form)."""
        self.data = form.cleaned_data
        self.filters = form.sales_filters

    def params(self) -> dict[str, Any]:
        """The question's own parameters beyond the common filters."""
        return {}

    def compute(self) -> Any:
        raise NotImplementedError

    def answer(self) -> Any:
        return cached_answer(
            self.question,
            {"filters": self.filters.as_key(), **self.params()},
            self.compute,
            reads_catalog=self.reads_catalog,
        )

    def rows(self, answer: Any) -> list[dict[str, Any]]:
        return answer

    def table(self, answer: Any) -> Table:
        return Table(
            title=self.title,
            name=self.table_name,
            columns=self.columns,
            rows=[[cell(row[column.key]) for column in self.columns] for row in self.rows(answer)],
        )

    def xlsx(self, answer: Any) -> bytes:
        """The table as a workbook: the CSV's header and cells, numbers as numbers."""
        table = self.table(answer)
        rows = [
            [
                _number(value) if column.numeric else value
                for column, value in zip(table.columns, row, strict=True)
            ]
            for row in table.rows
        ]
        return write_xlsx([column.key for column in table.columns], rows, title=self.table_name[:31])

    def write_csv(self, answer: Any, out: IO[str]) -> None:
        table = self.table(answer)
        writer = csv.writer(out)
        writer.writerow([column.key for column in table.columns])
        for row in table.rows:
            writer.writerow(
                [
                    value if column.numeric else spreadsheet_safe(value)  # "-5.00" is a number
                    for column, value in zip(table.columns, row, strict=True)
                ]
            )


def _number(value: str) -> Decimal | str:
    try:
        return Decimal(value) if value else value
    except InvalidOperation:
        return value


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


PRODUCT_COLUMNS = (
    Column("rank", "Rank", numeric=True),
    Column("product", "Product id", numeric=True),
    Column("sku", "SKU"),
    Column("name", "Name"),
    Column("units", "Units", numeric=True),
    Column("revenue", "Revenue", numeric=True),
    Column("profit", "Profit", numeric=True),
    Column("share", "Share", numeric=True),
)


class TopProductsReport(Report):
    question = "top-products"
    table_name = "top"
    title = "Top sellers"
    form_class = ProductRankingForm
    columns = PRODUCT_COLUMNS

    def params(self) -> dict[str, Any]:
        return {"by": self.data["by"], "limit": self.data["limit"]}

    def compute(self) -> list[dict[str, Any]]:
        return top_products(filters=self.filters, **self.params())


class BottomProductsReport(TopProductsReport):
    question = "bottom-products"
    table_name = "bottom"
    title = "Lowest sellers (including active products without sales)"
    reads_catalog = True

    def compute(self) -> list[dict[str, Any]]:
        return bottom_products(filters=self.filters, **self.params())


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


class CategoryLeadersReport(Report):
    question = "category-leaders"
    table_name = "leaders"
    title = "Best sellers in each category"
    form_class = CategoryLeadersForm
    columns = (
        Column("category", "Category"),
        Column("category_name", "Category name"),
        Column("rank", "Rank", numeric=True),
        Column("product", "Product id", numeric=True),
        Column("sku", "SKU"),
        Column("name", "Name"),
        Column("revenue", "Revenue", numeric=True),
        Column("units", "Units", numeric=True),
    )

    def params(self) -> dict[str, Any]:
        return {"limit": self.data["limit"]}

    def compute(self) -> list[dict[str, Any]]:
        return category_leaders(filters=self.filters, **self.params())


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


class AbcReport(Report):
    question = "abc"
    table_name = "abc"
    title = "ABC analysis"
    form_class = AbcForm
    columns = (
        Column("rank", "Rank", numeric=True),
        Column("product", "Product id", numeric=True),
        Column("sku", "SKU"),
        Column("name", "Name"),
        Column("value", "Value", numeric=True),
        Column("share", "Share", numeric=True),
        Column("cumulative_share", "Cumulative share", numeric=True),
        Column("class", "Class"),
    )
    reads_catalog = True  # active products that sold nothing are listed too

    def params(self) -> dict[str, Any]:
        return {"by": self.data["by"]}

    def compute(self) -> list[AbcProduct]:
        return abc_analysis(filters=self.filters, **self.params())


class InventoryReport(Report):
    question = "inventory"
    table_name = "inventory"
    title = "Inventory: what to reorder"
    form_class = InventoryForm
    columns = (
        Column("product", "Product id", numeric=True),
        Column("sku", "SKU"),
        Column("name", "Name"),
        Column("stock", "Stock", numeric=True),
        Column("units_per_day", "Units per day", numeric=True),
        Column("days_of_cover", "Days of cover", numeric=True),
        Column("reorder_point", "Reorder point", numeric=True),
        Column("suggested_order", "Suggested order", numeric=True),
        Column("state", "State"),
    )
    reads_catalog = True  # stock and the catalog move without a sale

    def params(self) -> dict[str, Any]:
        return {name: self.data[name] for name in ("window_days", "lead_days", "safety_days", "state")}

    def compute(self) -> list[InventoryProduct]:
        return inventory_insight(filters=self.filters, **self.params())


class CustomerMonthsReport(Report):
    """A customers report that reads the cohort counts: computed and cached once for the
    cohort table and new vs returning by month, which one page shows together."""

    def customer_months(self) -> CustomerMonths:
        return cached_answer(
            "customer-months",
            {"filters": self.filters.as_key()},
            lambda: customer_months(filters=self.filters),
        )


class CustomerSummaryReport(CustomerMonthsReport):
    question = "customers-summary"
    table_name = "customers"
    title = "New and returning customers"
    form_class = RevenueForm
    columns = (
        Column("period", "Period"),
        Column("customers", "Customers", numeric=True),
        Column("new", "New", numeric=True),
        Column("returning", "Returning", numeric=True),
        Column("repeat_rate", "Repeat rate", numeric=True),
        Column("revenue_per_customer", "Revenue per customer", numeric=True),
    )

    def params(self) -> dict[str, Any]:
        return {"group_by": self.data["group_by"]}

    def compute(self) -> list[CustomerPeriod]:
        return customer_summary(filters=self.filters, months=self.customer_months, **self.params())


class CohortReport(CustomerMonthsReport):
    question = "customers-cohorts"
    table_name = "cohorts"
    title = "Customer cohorts"
    columns = (
        Column("cohort", "Cohort"),
        Column("customers", "Customers", numeric=True),
        Column("retention", "Retention"),  # one column per month since, in the table
    )

    def compute(self) -> list[Cohort]:
        return customer_cohorts(filters=self.filters, months=self.customer_months)

    def table(self, answer: list[Cohort]) -> Table:
        """A cohort per row, then the share of it buying in each month since (+0 is its own)."""
        months = max((len(cohort["retention"]) for cohort in answer), default=0)
        offsets = tuple(Column(f"month_{offset}", f"+{offset}", numeric=True) for offset in range(months))
        return Table(
            title=self.title,
            name=self.table_name,
            columns=(*self.columns[:2], *offsets),
            rows=[
                [
                    cohort["cohort"],
                    cell(cohort["customers"]),
                    *(cell(month["share"]) for month in cohort["retention"]),
                    *([""] * (months - len(cohort["retention"]))),
                ]
                for cohort in answer
            ],
        )


class RfmReport(Report):
    """The RFM answer; its page shows two tables of it (customers here, segments below)."""

    question = "customers-rfm"
    table_name = "rfm"
    title = "Customers by RFM score"
    form_class = RfmForm
    columns = (
        Column("customer", "Customer id", numeric=True),
        Column("email", "E-mail"),
        Column("recency_days", "Days since last order", numeric=True),
        Column("orders", "Orders", numeric=True),
        Column("revenue", "Revenue", numeric=True),
        Column("r", "R", numeric=True),
        Column("f", "F", numeric=True),
        Column("m", "M", numeric=True),
        Column("segment", "Segment"),
    )

    def params(self) -> dict[str, Any]:
        return {name: self.data[name] for name in ("as_of", "segment", "page", "page_size")}

    def compute(self) -> Rfm:
        return customer_rfm(filters=self.filters, **self.params())

    def rows(self, answer: Rfm) -> list[Any]:
        return answer["customers"]


class RfmSegmentReport(RfmReport):
    table_name = "segments"
    title = "RFM segments"
    columns = (
        Column("segment", "Segment"),
        Column("customers", "Customers", numeric=True),
        Column("revenue", "Revenue", numeric=True),
        Column("share", "Share", numeric=True),
    )

    def rows(self, answer: Rfm) -> list[Any]:
        return answer["segments"]
