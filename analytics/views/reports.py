"""HTML sales reports under /reports/ for managers, behind the admin's session login.

Anonymous visitors go to the admin login; signed-in users without
`analytics.view_sales_reports` get 403. Every page has the filter form, a server-drawn SVG
chart, tables filled by the same reports (selectors, cache, rounding) as the JSON API, and
`?format=csv&table=<name>` downloads of each table.
"""

import dataclasses
from datetime import date
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.forms import ChoiceField, ModelChoiceField
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from analytics import reports, subscriptions
from analytics.forms import DEFAULT_PAGE_COMPARE, SalesFilterForm, SubscribeForm
from analytics.models import ReportSubscription
from analytics.pages import NAVIGATION, REPORT_PAGES, ReportPage, drilled_down
from analytics.reports.base import Cell, Table
from analytics.selectors.common import _next_period
from catalog.tabular import XLSX_CONTENT_TYPE
from salesbackend import formatting
from salesbackend.zone import sales_today


class ReportPageView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Every report page: `as_view(url_name=...)` names its page in `analytics.pages`."""

    permission_required = "analytics.view_sales_reports"
    template_name = "reports/report.html"
    url_name: str = ""

    @property
    def page(self) -> ReportPage:
        return REPORT_PAGES[self.url_name]

    def form_data(self) -> QueryDict:
        form_data = self.page.form_data
        data = form_data(self.request.GET) if form_data else self.request.GET
        # The page compares unless told not to; a download asks as the API does (its page's
        # download links carry the page's comparison).
        if self.page.compares and "compare" not in data and self.request.GET.get("format") is None:
            data = data.copy()
            data["compare"] = DEFAULT_PAGE_COMPARE
        return data

    def page_form(self, data: QueryDict) -> SalesFilterForm:
        """The page's filter form; "Compare with" only where the page's figures compare."""
        form = self.page.form_class(data)
        if not self.page.compares:
            form.fields.pop("compare", None)
        return form

    def get(self, request: HttpRequest) -> HttpResponseBase:
        data = self.form_data()
        form = self.page_form(data)
        if request.GET.get("format") in ("csv", "xlsx"):
            table = request.GET.get("table") or self.page.report_classes[0].table_name
            return self.download_response(form, table, request.GET["format"])
        context: dict[str, Any] = {
            "title": self.page.title,
            "navigation": [
                {"url": reverse(name), "title": title, "active": name == f"reports:{self.url_name}"}
                for name, title in NAVIGATION
            ],
            "form": form,
            "tables": [],
            "charts": [],
            "subscribe_url": reverse("reports:subscribe", args=[self.url_name]),
            "subscribe_form": SubscribeForm(),
            "subscriptions": self.own_subscriptions(),
            "current_filters": [(k, v) for k, v in request.GET.items() if v and k not in ("format", "table")],
        }
        if form.is_valid():
            try:
                context.update(self.report_context(form, data))
            except ValidationError as error:
                form.add_error(None, error)
        return render(request, self.template_name, context, status=400 if form.errors else 200)

    def own_subscriptions(self) -> list[dict[str, Any]]:
        """The user's own subscriptions to this page, each with its Unsubscribe action (the
        CEO's own too: others' are the admin's and the API's business)."""
        own = ReportSubscription.objects.filter(user_id=self.request.user.pk, report=self.url_name).order_by(
            "id"
        )
        return [
            {
                "subscription": subscription,
                "schedule": subscriptions.schedule_in_words(subscription),
                "filters": filters_in_words(self.page, subscription.filters),
                "unsubscribe_url": reverse("reports:unsubscribe", args=[subscription.pk]),
            }
            for subscription in own
        ]

    @staticmethod
    def applied_filters(form: SalesFilterForm) -> list[str]:
        """The filters in words, for the printed page (which has no form)."""
        return [
            f"{form.fields[name].label}: {formatting.words(value) if name == 'compare' else value}"
            for name, value in form.cleaned_data.items()
            if value not in (None, "") and name in form.fields  # not what a form derives itself
        ]

    def report_context(self, form: SalesFilterForm, data: QueryDict) -> dict[str, Any]:
        page_reports = [report_class(form) for report_class in self.page.report_classes]
        answers = {report.table_name: report.answer() for report in page_reports}
        tables = [
            {
                "table": marked_to_date(drilled_down(report.table(answers[report.table_name]), data), form),
                "csv_url": self.download_url(data, report, "csv"),
                "xlsx_url": self.download_url(data, report, "xlsx"),
            }
            for report in page_reports
        ]
        return {
            "tables": tables,
            "applied_filters": self.applied_filters(form),
            "charts": self.page.charts(form, answers),
            "tiles": self.page.tiles(form, answers),
        }

    @staticmethod
    def download_url(data: QueryDict, report: reports.Report, file_format: str) -> str:
        query = data.copy()
        query["format"] = file_format
        query["table"] = report.table_name
        return f"?{query.urlencode()}"

    def download_response(self, form: SalesFilterForm, table_name: str, file_format: str) -> HttpResponseBase:
        by_name = {report_class.table_name: report_class for report_class in self.page.report_classes}
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
        filename = f"sales-{report_class.table_name}-{sales_today():%Y%m%d}.{file_format}"
        if file_format == "xlsx":
            response = HttpResponse(report.xlsx(answer), content_type=XLSX_CONTENT_TYPE)
        else:
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            report.write_csv(answer, response)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def filters_in_words(page: ReportPage, filters: dict[str, Any]) -> str:
    """A subscription's saved filters as the page's form names them: "Period: Previous month"."""
    words = []
    for name, value in filters.items():
        field = page.form_class.base_fields.get(name)
        if field is None:
            continue
        shown = str(value)
        if isinstance(field, ChoiceField) and not isinstance(field, ModelChoiceField):
            shown = str(dict(field.choices).get(value, value))
        words.append(f"{field.label or name}: {shown}")
    return ", ".join(words)


TO_DATE = " (to date)"


@dataclasses.dataclass(frozen=True)
class ToDateTable(Table):
    """A page's table whose rows at `to_date` are periods still under way: the page says so
    after the period as printed (CSV, XLSX and the JSON API keep the plain dates)."""

    to_date: frozenset[int] = frozenset()

    def cells(self) -> list[list[Cell]]:
        return [
            [
                cell._replace(text=cell.text + TO_DATE)
                if index in self.to_date and cell.column.key == "period"
                else cell
                for cell in row
            ]
            for index, row in enumerate(super().cells())
        ]


def marked_to_date(table: Table, form: SalesFilterForm, today: date | None = None) -> Table:
    """`table` with its current, incomplete period (the one holding today) marked "to date"."""
    group_by = form.cleaned_data.get("group_by")
    keys = [column.key for column in table.columns]
    if not group_by or "period" not in keys:
        return table
    today = today or sales_today()
    at = keys.index("period")
    starts = [
        (index, row[at] if isinstance(row[at], date) else date.fromisoformat(str(row[at])))
        for index, row in enumerate(table.rows)
        if row[at]
    ]
    current = frozenset(index for index, start in starts if start <= today < _next_period(start, group_by))
    if not current:
        return table
    fields = {field.name: getattr(table, field.name) for field in dataclasses.fields(table)}
    return ToDateTable(**fields, to_date=current)
