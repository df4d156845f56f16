"""HTML sales reports under /reports/ for managers, behind the admin's session login.

Anonymous visitors go to the admin login; signed-in users without
`analytics.view_sales_reports` get 403. Every page has the filter form, a server-drawn SVG
chart, tables filled by the same reports (selectors, cache, rounding) as the JSON API, and
`?format=csv&table=<name>` downloads of each table.
"""

from decimal import Decimal
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from analytics import reports
from analytics.charts import bar_chart, line_chart
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
from catalog.tabular import XLSX_CONTENT_TYPE

NAVIGATION = (
    ("reports:overview", "Overview"),
    ("reports:products", "Products"),
    ("reports:revenue", "Revenue over time"),
    ("reports:categories", "Categories"),
    ("reports:channels", "Channels"),
    ("reports:discounts", "Discount codes"),
    ("reports:customers", "Customers"),
    ("reports:rfm", "RFM"),
    ("reports:abc", "ABC"),
    ("reports:inventory", "Inventory"),
    ("reports:compare", "Compare periods"),
)


class ReportPageView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "analytics.view_sales_reports"
    template_name = "reports/report.html"
    url_name: str
    title: str
    form_class: type[SalesFilterForm] = SalesFilterForm
    report_classes: tuple[type[reports.Report], ...] = ()

    def form_data(self) -> QueryDict:
        return self.request.GET

    def get(self, request: HttpRequest) -> HttpResponse:
        data = self.form_data()
        form = self.form_class(data)
        if request.GET.get("format") in ("csv", "xlsx"):
            table = request.GET.get("table") or self.report_classes[0].table_name
            return self.download_response(form, table, request.GET["format"])
        context: dict[str, Any] = {
            "title": self.title,
            "navigation": [
                {"url": reverse(name), "title": title, "active": name == f"reports:{self.url_name}"}
                for name, title in NAVIGATION
            ],
            "form": form,
            "tables": [],
            "charts": [],
            "subscribe_url": reverse("reports:subscribe", args=[self.url_name]),
            "current_filters": [(k, v) for k, v in request.GET.items() if v and k not in ("format", "table")],
        }
        if form.is_valid():
            try:
                context.update(self.report_context(form, data))
            except ValidationError as error:
                form.add_error(None, error)
        return render(request, self.template_name, context, status=400 if form.errors else 200)

    @staticmethod
    def applied_filters(form: SalesFilterForm) -> list[str]:
        """The filters in words, for the printed page (which has no form)."""
        return [
            f"{form.fields[name].label}: {value}"
            for name, value in form.cleaned_data.items()
            if value not in (None, "") and name in form.fields  # not what a form derives itself
        ]

    def report_context(self, form: SalesFilterForm, data: QueryDict) -> dict[str, Any]:
        page_reports = [report_class(form) for report_class in self.report_classes]
        answers = {report.table_name: report.answer() for report in page_reports}
        tables = [
            {
                "table": report.table(answers[report.table_name]),
                "csv_url": self.download_url(data, report, "csv"),
                "xlsx_url": self.download_url(data, report, "xlsx"),
            }
            for report in page_reports
        ]
        return {
            "tables": tables,
            "applied_filters": self.applied_filters(form),
            **self.page_context(form, answers),
        }

    def page_context(self, form: SalesFilterForm, answers: dict[str, Any]) -> dict[str, Any]:
        """Charts and tiles of the page."""
        return {}

    @staticmethod
    def download_url(data: QueryDict, report: reports.Report, file_format: str) -> str:
        query = data.copy()
        query["format"] = file_format
        query["table"] = report.table_name
        return f"?{query.urlencode()}"

    def download_response(self, form: SalesFilterForm, table_name: str, file_format: str) -> HttpResponse:
        by_name = {report_class.table_name: report_class for report_class in self.report_classes}
        report_class = by_name.get(table_name)
        if report_class is None:
            choices = ", ".join(by_name)
            return HttpResponse(
                f"Unknown table; choose one of: {choices}.", status=400, content_type="text/plain"
            )
        if not form.is_valid():
            messages = "\n".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
            return HttpResponse(messages, status=400, content_type="text/plain")
        report = report_class(form)
        try:
            answer = report.answer()
        except ValidationError as error:
            return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain")
        filename = f"sales-{report_class.table_name}-{timezone.now():%Y%m%d}.{file_format}"
        if file_format == "xlsx":
            response = HttpResponse(report.xlsx(answer), content_type=XLSX_CONTENT_TYPE)
        else:
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            report.write_csv(answer, response)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def _revenue_chart(series: list[dict[str, Any]], group_by: str):
    return line_chart(
        f"Revenue by {group_by}", [(row["period"].isoformat(), row["revenue"]) for row in series]
    )


class OverviewView(ReportPageView):
    url_name = "overview"
    title = "Sales overview"
    form_class = RevenueForm
    report_classes = (reports.SummaryReport, reports.OrderStatusReport)

    def page_context(self, form: SalesFilterForm, answers: dict[str, Any]) -> dict[str, Any]:
        series = reports.RevenueReport(form).answer()
        summary = reports.SummaryReport(form)
        return {
            "tiles": [(row["label"], reports.cell(row["value"])) for row in summary.rows(answers["summary"])],
            "charts": [_revenue_chart(series, form.cleaned_data["group_by"])] if series else [],
        }


class ProductsView(ReportPageView):
    url_name = "products"
    title = "Products: top and lowest sellers"
    form_class = ProductRankingForm
    report_classes = (reports.TopProductsReport, reports.BottomProductsReport)

    def page_context(self, form: SalesFilterForm, answers: dict[str, Any]) -> dict[str, Any]:
        by = form.cleaned_data["by"]
        top = answers["top"]
        chart = bar_chart(f"Top sellers by {by}", [(f"{row['sku']} {row['name']}", row[by]) for row in top])
        return {"charts": [chart] if top else []}


class RevenueView(ReportPageView):
    url_name = "revenue"
    title = "Revenue over time"
    form_class = RevenueForm
    report_classes = (reports.RevenueReport,)

    def page_context(self, form: SalesFilterForm, answers: dict[str, Any]) -> dict[str, Any]:
        series = answers["revenue"]
        group_by = form.cleaned_data["group_by"]
        if not series:
            return {}
        running = line_chart(
            "Running total", [(row["period"].isoformat(), row["running_total"]) for row in series]
        )
        return {"charts": [_revenue_chart(series, group_by), running]}


class CategoriesView(ReportPageView):
    url_name = "categories"
    title = "Sales by category"
    form_class = CategoryLeadersForm
    report_classes = (reports.CategoryReport, reports.CategoryLeadersReport)

    def page_context(self, form: SalesFilterForm, answers: dict[str, Any]) -> dict[str, Any]:
        rows = answers["categories"]
        chart = bar_chart("Revenue by category", [(row["name"], row["revenue"]) for row in rows])
        return {"charts": [chart] if rows else []}


class ChannelsView(ReportPageView):
    url_name = "channels"
    title = "Sales by channel"
    report_classes = (reports.ChannelReport,)

    def page_context(self, form: SalesFilterForm, answers: dict[str, Any]) -> dict[str, Any]:
        rows = answers["channels"]
        chart = bar_chart("Revenue by channel", [(row["name"], row["revenue"]) for row in rows])
        return {"charts": [chart] if rows else []}


class DiscountsView(ReportPageView):
    url_name = "discounts"
    title = "Sales by discount code"
    report_classes = (reports.DiscountCodeReport,)

    def page_context(self, form: SalesFilterForm, answers: dict[str, Any]) -> dict[str, Any]:
        rows = answers["discounts"]
        chart = bar_chart(
            "Revenue by discount code", [(row["code"] or "no code", row["revenue"]) for row in rows]
        )
        return {"charts": [chart] if rows else []}


class CustomersView(ReportPageView):
    url_name = "customers"
    title = "Customers: new, returning, cohorts"
    form_class = RevenueForm
    report_classes = (reports.CustomerSummaryReport, reports.CohortReport)

    def page_context(self, form: SalesFilterForm, answers: dict[str, Any]) -> dict[str, Any]:
        periods = answers["customers"]
        if not periods:
            return {}
        new = bar_chart("New customers", [(row["period"].isoformat(), row["new"]) for row in periods])
        returning = bar_chart(
            "Returning customers", [(row["period"].isoformat(), row["returning"]) for row in periods]
        )
        return {"charts": [new, returning]}


class RfmView(ReportPageView):
    url_name = "rfm"
    title = "Customers by RFM score"
    form_class = RfmForm
    report_classes = (reports.RfmSegmentReport, reports.RfmReport)

    def page_context(self, form: SalesFilterForm, answers: dict[str, Any]) -> dict[str, Any]:
        segments = answers["segments"]["segments"]
        chart = bar_chart("Customers per segment", [(row["segment"], row["customers"]) for row in segments])
        return {"charts": [chart]}


ABC_CHART_PRODUCTS = 40


class AbcView(ReportPageView):
    url_name = "abc"
    title = "ABC analysis"
    form_class = AbcForm
    report_classes = (reports.AbcReport,)

    def page_context(self, form: SalesFilterForm, answers: dict[str, Any]) -> dict[str, Any]:
        rows = answers["abc"][:ABC_CHART_PRODUCTS]  # the table lists them all
        if not rows:
            return {}
        bars = bar_chart("Value per product", [(row["sku"], row["value"]) for row in rows])
        cumulative = line_chart(
            "Cumulative share (Pareto)", [(row["sku"], row["cumulative_share"] or Decimal(0)) for row in rows]
        )
        return {"charts": [bars, cumulative]}


class InventoryView(ReportPageView):
    url_name = "inventory"
    title = "Inventory: what to reorder"
    form_class = InventoryForm
    report_classes = (reports.InventoryReport,)

    def page_context(self, form: SalesFilterForm, answers: dict[str, Any]) -> dict[str, Any]:
        rows = answers["inventory"][:30]  # the shortest cover first
        chart = bar_chart("Stock on hand, shortest cover first", [(row["sku"], row["stock"]) for row in rows])
        return {"charts": [chart] if rows else []}


class CompareView(ReportPageView):
    url_name = "compare"
    title = "Compare two periods"
    form_class = CompareForm
    report_classes = (reports.CompareReport,)

    def form_data(self) -> QueryDict:
        """Without chosen periods, the last 30 days against the 30 days before them."""
        data = self.request.GET.copy()
        if not any(data.get(name) for name in PERIOD_FIELDS):
            data.update(CompareForm.default_periods(timezone.now().date()))
        return data

    def page_context(self, form: SalesFilterForm, answers: dict[str, Any]) -> dict[str, Any]:
        comparison = answers["compare"]
        periods = [comparison["period1"], comparison["period2"]]
        chart = bar_chart(
            "Revenue per period",
            [(f"{period['start']} to {period['end']}", period["revenue"]) for period in periods],
        )
        tiles = [
            ("Period 1 revenue", reports.cell(comparison["period1"]["revenue"])),
            ("Period 2 revenue", reports.cell(comparison["period2"]["revenue"])),
            ("Difference", reports.cell(comparison["difference"])),
            ("Change %", reports.cell(comparison["change_pct"]) or "n/a"),
        ]
        return {"charts": [chart], "tiles": tiles}


# The report pages by name: what a subscription e-mails (title, form, tables).
REPORT_PAGES: dict[str, type[ReportPageView]] = {
    page.url_name: page
    for page in (
        OverviewView,
        ProductsView,
        RevenueView,
        CategoriesView,
        ChannelsView,
        DiscountsView,
        CustomersView,
        RfmView,
        AbcView,
        InventoryView,
        CompareView,
    )
}
