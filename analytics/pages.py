"""The report pages: what each one is called, which form reads its filters, which reports fill
its tables and which charts and tiles it draws. The HTML views, the subscriptions (what an
e-mail carries) and the API's list of report names all read this registry.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.http import QueryDict
from django.urls import reverse

from analytics import reports
from analytics.charts import Chart, Series, bar_chart, column_chart, line_chart, pareto_chart
from analytics.forms import (
    DEFAULT_PAGE_COMPARE,
    PERIOD_FIELDS,
    AbcForm,
    CategoryLeadersForm,
    CompareForm,
    InventoryForm,
    LinesForm,
    ProductRankingForm,
    RevenueForm,
    RfmForm,
    SalesFilterForm,
    TargetsForm,
)
from analytics.models import Target, TargetMetric
from analytics.selectors.common import _next_period
from analytics.selectors.targets import targets_matching
from analytics.targets.formulas import phased_amount
from salesbackend import formatting
from salesbackend.zone import sales_today

Answers = dict[str, Any]  # a page's report answers by table name
# (label, value as printed), and on pages that compare, how it changed (`tile_change`).
Tile = tuple[str, str] | tuple[str, str, dict[str, str] | None]
COMPARED_WITH = {"previous_period": "previous period", "previous_year": "previous year"}


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

    @property
    def compares(self) -> bool:
        """Whether its figures can be compared with an earlier span (its form shows "Compare with")."""
        return any(report_class.compares for report_class in self.report_classes)


def _period_label(start: date, group_by: str) -> str:
    """A bucket as the axis names it: `Dec 2026` for a month, `2026` for a year, else its first day."""
    if group_by == "month":
        return formatting.month(start)
    if group_by == "year":
        return str(start.year)
    return formatting.business_date(start)


def _periods(series: list[dict[str, Any]], key: str, group_by: str) -> list[tuple[str, Any]]:
    return [(_period_label(row["period"], group_by), row[key]) for row in series]


def _earlier_series(form: SalesFilterForm, series: list[dict[str, Any]], group_by: str) -> list[Series]:
    """The earlier span's revenue, dashed, each bucket under the bucket it is compared with;
    none without a comparison or an earlier span (all time)."""
    compare = form.cleaned_data.get("compare")
    if not compare or not any(row.get("previous_revenue") is not None for row in series):
        return []
    name = f"Revenue, {COMPARED_WITH[compare]}"
    return [Series(name, _periods(series, "previous_revenue", group_by), dashed=True)]


def _revenue_chart(form: SalesFilterForm, series: list[dict[str, Any]], group_by: str) -> Chart:
    revenue = Series("Revenue", _periods(series, "revenue", group_by))
    return line_chart(f"Revenue by {group_by}", [revenue, *_earlier_series(form, series, group_by)])


def _overview_charts(form: SalesFilterForm, answers: Answers) -> list[Chart]:
    series = reports.RevenueReport(form).answer()
    return [_revenue_chart(form, series, form.cleaned_data["group_by"])]


def tile_change(change: Any, previous_text: str, compare: str) -> dict[str, str]:
    """A key figure's change as its card shows it: `▲ 12.5 %` (up), `▼ 3.0 %` (down), with what
    it is compared with; `n/a` when the earlier figure is zero (no percentage of nothing)."""
    against = f"vs {previous_text or 'n/a'}, {COMPARED_WITH[compare]}"
    if change is None:
        return {"direction": "flat", "mark": "", "text": "n/a", "against": against}
    direction = "up" if change > 0 else "down" if change < 0 else "flat"
    mark = {"up": "▲", "down": "▼", "flat": ""}[direction]
    return {
        "direction": direction,
        "mark": mark,
        "text": formatting.percent_points(abs(change)),
        "against": against,
    }


def _overview_tiles(form: SalesFilterForm, answers: Answers) -> list[Tile]:
    """The key figures as the summary table prints them: money with its currency, counts with
    separators, the margin in percent; with a comparison, each with its change."""
    report = reports.SummaryReport(form)
    table = report.table(answers["summary"])
    compare, has_previous = report.compare, answers["summary"].get("previous") is not None
    tiles: list[Tile] = []
    for cells in table.cells():
        label, value = cells[0], cells[1]
        if not (compare and has_previous):
            tiles.append((label.text, value.text))
            continue
        previous, change = cells[2], table.rows[len(tiles)][-1]
        tiles.append((label.text, value.text, tile_change(change, previous.text, compare)))
    return tiles


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
    revenue = Series("Revenue", _periods(series, "revenue", group_by))
    lines = [revenue, *_earlier_series(form, series, group_by), *_target_lines(form, series, group_by)]
    return [line_chart(f"Revenue by {group_by}", lines), running]


def _target_lines(form: SalesFilterForm, series: list[dict[str, Any]], group_by: str) -> list[Series]:
    """Revenue targets with exactly the page's channel and category whose span overlaps the
    page's, each a target line (a strong colour of its own, long dashes) of the part of the
    target phased into each bucket (amount x the bucket's days in the span / the span's days),
    so it reads against the revenue of that bucket; nothing outside the span. Targets that do
    not overlap one another share a line (a month's target after another's is one line);
    overlapping ones (a year's and a quarter's) get a line each."""
    data = form.cleaned_data
    if data.get("product") or not series:
        return []
    targets = targets_matching(
        metric=TargetMetric.REVENUE,
        channel_id=data["channel"].pk if data.get("channel") else None,
        category_id=data["category"].pk if data.get("category") else None,
        start=series[0]["period"],
        end=_next_period(series[-1]["period"], group_by) - timedelta(days=1),
    )
    lines: list[list[Target]] = []
    for target in targets:  # by start: a target joins the first line it does not overlap
        line = next((line for line in lines if line[-1].end < target.start), None)
        if line is None:
            lines.append([target])
        else:
            line.append(target)
    return [
        Series(
            f"Target: {line[0].name}" if len(line) == 1 else "Targets",
            [
                (_period_label(row["period"], group_by), _phased(line, row["period"], group_by))
                for row in series
            ],
            target=True,
        )
        for line in lines
    ]


def _phased(line: list[Target], period: date, group_by: str) -> Any:
    last = _next_period(period, group_by) - timedelta(days=1)
    parts = [phased_amount(t.amount, t.start, t.end, period, last) for t in line]
    present = [part for part in parts if part is not None]
    return sum(present) if present else None


def _targets_charts(form: SalesFilterForm, answers: Answers) -> list[Chart]:
    """Each target's attainment as a bar (100 % is reached); the table has the amounts."""
    rows = answers["targets"]
    if not rows:
        return [Chart(title="Attained, per target", kind="bar", empty="No targets set yet")]
    items = [(row["name"], row["attainment"]) for row in rows]
    return [bar_chart("Attained, per target", items, unit="share")]


def _targets_tiles(form: SalesFilterForm, answers: Answers) -> list[Tile]:
    rows = answers["targets"]
    on_pace = sum(1 for row in rows if row["pace"] is not None and row["pace"] >= 1)
    started = sum(1 for row in rows if row["pace"] is not None)
    return [
        ("As of", formatting.business_date(form.cleaned_data["as_of"])),
        ("Targets", formatting.count(len(rows))),
        ("On pace", f"{formatting.count(on_pace)} of {formatting.count(started)} started"),
    ]


def _categories_charts(form: SalesFilterForm, answers: Answers) -> list[Chart]:
    rows = answers["categories"]
    return [bar_chart("Revenue by category", [(row["name"], row["revenue"]) for row in rows])]


def _channels_charts(form: SalesFilterForm, answers: Answers) -> list[Chart]:
    rows = answers["channels"]
    return [bar_chart("Revenue by channel", [(row["name"], row["revenue"]) for row in rows])]


def _discounts_charts(form: SalesFilterForm, answers: Answers) -> list[Chart]:
    rows = answers["discounts"]
    items = [(row["code"] or reports.NO_CODE, row["revenue"]) for row in rows]
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
        data.update(CompareForm.default_periods(sales_today()))
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


def _no_charts(form: SalesFilterForm, answers: Answers) -> list[Chart]:
    return []


def _lines_tiles(form: SalesFilterForm, answers: Answers) -> list[Tile]:
    """The totals of every line the filters match, not only of the page shown."""
    answer = answers["lines"]
    totals = answer["totals"]
    return [
        ("Lines", formatting.count(answer["count"])),
        ("Units", formatting.count(totals["quantity"])),
        ("Revenue", formatting.money(totals["revenue"])),
        ("Cost", formatting.money(totals["cost"])),
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
            report_classes=(reports.InventoryReport, reports.StockValueByLocationReport),
            charts=_inventory_charts,
        ),
        ReportPage(
            url_name="targets",
            title="Targets: actual against target",
            menu_title="Targets",
            form_class=TargetsForm,
            report_classes=(reports.TargetsReport,),
            charts=_targets_charts,
            tiles=_targets_tiles,
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
        ReportPage(
            url_name="lines",
            title="Sales lines",
            menu_title="Lines",
            form_class=LinesForm,
            report_classes=(reports.LinesReport,),
            charts=_no_charts,  # the lines behind a figure: the table is the answer
            tiles=_lines_tiles,
        ),
    )
}

# (URL name, link text) of every page, for the navigation.
NAVIGATION = tuple((f"reports:{page.url_name}", page.menu_title) for page in REPORT_PAGES.values())


@dataclass(frozen=True)
class DrillDown:
    """A table's rows link one level down: to the page `page` with the row's `key` as that
    page's filter `name`, on the text of the row's `column`."""

    page: str
    name: str
    key: str
    column: str


# Category -> its products -> the sales lines, by table name.
DRILL_DOWNS = {
    "categories": DrillDown("products", "category", "category", "name"),
    "channels": DrillDown("lines", "channel", "channel", "name"),
    "top": DrillDown("lines", "product", "product", "name"),
    "bottom": DrillDown("lines", "product", "product", "name"),
    "leaders": DrillDown("lines", "product", "product", "name"),
    "abc": DrillDown("lines", "product", "product", "name"),
}
# What a link one level down carries from the page it is on: the common filters (dates or a
# period, category, channel, product), not a page's own (`by`, `limit`), which mean other things there.
CARRIED_FILTERS = tuple(SalesFilterForm.base_fields)


def drilled_down(table: reports.Table, query: QueryDict) -> reports.Table:
    """`table` with each row linking one level down, carrying the page's filters `query`."""
    drill = DRILL_DOWNS.get(table.name)
    if drill is None:
        return table
    at = [column.key for column in table.columns].index(drill.key)
    carried = QueryDict(mutable=True)
    for name in CARRIED_FILTERS:
        if (value := query.get(name)) and not (name == "compare" and value == DEFAULT_PAGE_COMPARE):
            carried[name] = value  # the pages' own default comparison goes without saying
    target = reverse(f"reports:{drill.page}")
    links: list[str | None] = []
    for row in table.rows:
        if row[at] is None or row[at] == "":  # sales without a category: nothing to go down to
            links.append(None)
            continue
        link = carried.copy()
        link[drill.name] = str(row[at])
        links.append(f"{target}?{link.urlencode()}")
    return replace(table, links=tuple(links), link_column=drill.column)
