"""The report pages: what each one is called, which form reads its filters, which reports fill
its tables and which charts and tiles it draws. The HTML views, the subscriptions (what an
e-mail carries) and the API's list of report names all read this registry.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import QueryDict
from django.utils import timezone

from analytics import reports
from analytics.charts import Chart, Series, bar_chart, column_chart, line_chart, pareto_chart
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
from salesbackend import formatting

Answers = dict[str, Any]  # a page's report answers by table name
Tile = tuple[str, str]  # (label, value as printed)


def _no_tiles(form: SalesFilterForm, answers: Answers) -> list[Tile]:
    return []


@dataclass(frozen=True)
class ReportPage:
    url_name: str  # `reports:<url_name>`, also the report a subscription names
    title: str
    menu_title: str  # the page's link in the navigation
    # Its tables, in order; the first is what a download without `?table=` gets.
    report_classes: tuple[type[reports.Report], ...]
    charts: Callable[[SalesFilterForm, Answers], list[Chart]]
    form_class: type[SalesFilterForm] = SalesFilterForm
    tiles: Callable[[SalesFilterForm, Answers], list[Tile]] = _no_tiles
    # The filters a page reads from its query, where it fills in defaults of its own.
    form_data: Callable[[QueryDict], QueryDict] | None = None


def _period_label(start: date, group_by: str) -> str:
    """A bucket as the axis names it: `Dec 2026` for a month, `2026` for a year, else its first day."""
    if group_by == "month":
        return formatting.month(start)
    if group_by == "year":
        return str(start.year)
    return formatting.business_date(start)


def _periods(series: list[dict[str, Any]], key: str, group_by: str) -> list[tuple[str, Any]]:
    return [(_period_label(row["period"], group_by), row[key]) for row in series]


def _revenue_chart(series: list[dict[str, Any]], group_by: str) -> Chart:
    return line_chart(f"Revenue by {group_by}", [Series("Revenue", _periods(series, "revenue", group_by))])


def _overview_charts(form: SalesFilterForm, answers: Answers) -> list[Chart]:
    series = reports.RevenueReport(form).answer()
    return [_revenue_chart(series, form.cleaned_data["group_by"])]


def _overview_tiles(form: SalesFilterForm, answers: Answers) -> list[Tile]:
    """The key figures as the summary table prints them: money with its currency, counts with
    separators, the margin in percent."""
    table = reports.SummaryReport(form).table(answers["summary"])
    return [(label.text, value.text) for label, value in table.cells()]


def _products_charts(form: SalesFilterForm, answers: Answers) -> list[Chart]:
    by = form.cleaned_data["by"]
    items = [(f"{row['sku']} {row['name']}", row[by]) for row in answers["top"]]
    return [bar_chart(f"Top sellers by {by}", items, unit="money" if by == "revenue" else "count")]


def _revenue_charts(form: SalesFilterForm, answers: Answers) -> list[Chart]:
    series = answers["revenue"]
    group_by = form.cleaned_data["group_by"]
    running = line_chart(
        "Running total", [Series("Running total", _periods(series, "running_total", group_by))]
    )
    return [_revenue_chart(series, group_by), running]


def _categories_charts(form: SalesFilterForm, answers: Answers) -> list[Chart]:
    rows = answers["categories"]
    return [bar_chart("Revenue by category", [(row["name"], row["revenue"]) for row in rows])]


def _channels_charts(form: SalesFilterForm, answers: Answers) -> list[Chart]:
    rows = answers["channels"]
    return [bar_chart("Revenue by channel", [(row["name"], row["revenue"]) for row in rows])]


def _discounts_charts(form: SalesFilterForm, answers: Answers) -> list[Chart]:
    rows = answers["discounts"]
    items = [(row["code"] or "no code", row["revenue"]) for row in rows]
    return [bar_chart("Revenue by discount code", items)]


def _customers_charts(form: SalesFilterForm, answers: Answers) -> list[Chart]:
    periods, group_by = answers["customers"], form.cleaned_data.get("group_by", "month")
    new, returning = _periods(periods, "new", group_by), _periods(periods, "returning", group_by)
    labels = [label for label, _ in new]
    series = [Series("New", new), Series("Returning", returning)]
    return [column_chart("New and returning customers", labels, series, unit="count")]


def _rfm_charts(form: SalesFilterForm, answers: Answers) -> list[Chart]:
    segments = answers["segments"]["segments"]
    items = [(str(row["segment"]).replace("_", " ").capitalize(), row["customers"]) for row in segments]
    return [bar_chart("Customers per segment", items, unit="count")]


ABC_CHART_PRODUCTS = 40


def _abc_charts(form: SalesFilterForm, answers: Answers) -> list[Chart]:
    rows = answers["abc"][:ABC_CHART_PRODUCTS]  # the table lists them all
    by = form.cleaned_data["by"]
    return [
        pareto_chart(
            f"Pareto: {by} per product and cumulative share",
            [(row["sku"], row["value"]) for row in rows],
            [row["cumulative_share"] for row in rows],
            unit="count" if by == "units" else "money",
        )
    ]


def _inventory_charts(form: SalesFilterForm, answers: Answers) -> list[Chart]:
    rows = answers["inventory"][:30]  # the shortest cover first
    items = [(row["sku"], row["stock"]) for row in rows]
    return [bar_chart("Stock on hand, shortest cover first", items, unit="count")]


def _compare_form_data(query: QueryDict) -> QueryDict:
    """Without chosen periods, the last 30 days against the 30 days before them."""
    data = query.copy()
    if not any(data.get(name) for name in PERIOD_FIELDS):
        data.update(CompareForm.default_periods(timezone.now().date()))
    return data


def _compare_charts(form: SalesFilterForm, answers: Answers) -> list[Chart]:
    comparison = answers["compare"]
    periods = [comparison["period1"], comparison["period2"]]
    items = [(f"{period['start']} to {period['end']}", period["revenue"]) for period in periods]
    return [bar_chart("Revenue per period", items)]


def _compare_tiles(form: SalesFilterForm, answers: Answers) -> list[Tile]:
    comparison = answers["compare"]
    return [
        ("Period 1 revenue", formatting.money(comparison["period1"]["revenue"])),
        ("Period 2 revenue", formatting.money(comparison["period2"]["revenue"])),
        ("Difference", formatting.money(comparison["difference"])),
        ("Change", formatting.percent_points(comparison["change_pct"]) or "n/a"),
    ]


# The report pages by name, in the navigation's order.
REPORT_PAGES: dict[str, ReportPage] = {
    page.url_name: page
    for page in (
        ReportPage(
            url_name="overview",
            title="Sales overview",
            menu_title="Overview",
            form_class=RevenueForm,
            report_classes=(reports.SummaryReport, reports.OrderStatusReport),
            charts=_overview_charts,
            tiles=_overview_tiles,
        ),
        ReportPage(
            url_name="products",
            title="Products: top and lowest sellers, returns",
            menu_title="Products",
            form_class=ProductRankingForm,
            report_classes=(
                reports.TopProductsReport,
                reports.BottomProductsReport,
                reports.ReturnsReport,
                reports.ReturnReasonsReport,
            ),
            charts=_products_charts,
        ),
        ReportPage(
            url_name="revenue",
            title="Revenue over time",
            menu_title="Revenue over time",
            form_class=RevenueForm,
            report_classes=(reports.RevenueReport,),
            charts=_revenue_charts,
        ),
        ReportPage(
            url_name="categories",
            title="Sales by category",
            menu_title="Categories",
            form_class=CategoryLeadersForm,
            report_classes=(reports.CategoryReport, reports.CategoryLeadersReport),
            charts=_categories_charts,
        ),
        ReportPage(
            url_name="channels",
            title="Sales by channel",
            menu_title="Channels",
            report_classes=(reports.ChannelReport,),
            charts=_channels_charts,
        ),
        ReportPage(
            url_name="discounts",
            title="Sales by discount code",
            menu_title="Discount codes",
            report_classes=(reports.DiscountCodeReport,),
            charts=_discounts_charts,
        ),
        ReportPage(
            url_name="customers",
            title="Customers: new, returning, cohorts",
            menu_title="Customers",
            form_class=RevenueForm,
            report_classes=(reports.CustomerSummaryReport, reports.CohortReport),
            charts=_customers_charts,
        ),
        ReportPage(
            url_name="rfm",
            title="Customers by RFM score",
            menu_title="RFM",
            form_class=RfmForm,
            report_classes=(reports.RfmSegmentReport, reports.RfmReport),
            charts=_rfm_charts,
        ),
        ReportPage(
            url_name="abc",
            title="ABC analysis",
            menu_title="ABC",
            form_class=AbcForm,
            report_classes=(reports.AbcReport,),
            charts=_abc_charts,
        ),
        ReportPage(
            url_name="inventory",
            title="Inventory: what to reorder",
            menu_title="Inventory",
            form_class=InventoryForm,
            report_classes=(reports.InventoryReport,),
            charts=_inventory_charts,
        ),
        ReportPage(
            url_name="compare",
            title="Compare two periods",
            menu_title="Compare periods",
            form_class=CompareForm,
            report_classes=(reports.CompareReport,),
            charts=_compare_charts,
            tiles=_compare_tiles,
            form_data=_compare_form_data,
        ),
    )
}

# (URL name, link text) of every page, for the navigation.
NAVIGATION = tuple((f"reports:{page.url_name}", page.menu_title) for page in REPORT_PAGES.values())
