"""/reports/lines/: the sales lines behind any figure, a page at a time, with their totals.

The report page of every other report, with two differences: the table is one page of lines
(links to the newer and older ones), and a download holds every matching line, streamed as
CSV a batch at a time (an XLSX workbook is built whole, so it stops at XLSX_MAX_LINES).
"""

from typing import Any

from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from analytics import reports
from analytics.forms import LinesForm, SalesFilterForm
from analytics.views.reports import ReportPageView
from catalog.tabular import XLSX_CONTENT_TYPE
from salesbackend import formatting

PAGE_SIZE = 50


class LinesPageView(ReportPageView):
    def page_number(self) -> int:
        given = self.request.GET.get("page") or "1"
        if not (given.isascii() and given.isdigit() and int(given) >= 1):
            raise Http404("No such page of lines.")
        return int(given)

    def report_context(self, form: SalesFilterForm, data: QueryDict) -> dict[str, Any]:
        assert isinstance(form, LinesForm)
        report = reports.LinesReport(form)
        number = self.page_number()
        count, totals = report.totals()
        last_page = max(1, -(-count // PAGE_SIZE))
        if number > last_page:
            raise Http404("No such page of lines.")
        lines = report.page(offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        answer = {"count": count, "totals": totals, "lines": lines}
        first = (number - 1) * PAGE_SIZE + 1
        section = {
            "table": report.table(answer),
            "csv_url": self.download_url(data, report, "csv"),
            "xlsx_url": self.download_url(data, report, "xlsx") if count <= reports.XLSX_MAX_LINES else None,
            "xlsx_note": f"XLSX up to {formatting.count(reports.XLSX_MAX_LINES)} lines: narrow the filters",
            "pagination": {
                "shown": (
                    f"Lines {formatting.count(first)} to {formatting.count(first + len(lines) - 1)} "
                    f"of {formatting.count(count)}, newest first"
                    if lines
                    else ""
                ),
                "newer": self.page_url(data, number - 1) if number > 1 else None,
                "older": self.page_url(data, number + 1) if number < last_page else None,
            },
        }
        answers = {report.table_name: answer}
        return {
            "tables": [section],
            "applied_filters": self.applied_filters(form),
            "charts": self.page.charts(form, answers),
            "tiles": self.page.tiles(form, answers),
        }

    @staticmethod
    def page_url(data: QueryDict, number: int) -> str:
        query = data.copy()
        query.pop("page", None)
        if number > 1:
            query["page"] = str(number)
        return f"?{query.urlencode()}"

    def download_response(self, form: SalesFilterForm, table_name: str, file_format: str) -> HttpResponseBase:
        if table_name != reports.LinesReport.table_name or not form.is_valid():
            return super().download_response(form, table_name, file_format)  # its 400s
        assert isinstance(form, LinesForm)
        report = reports.LinesReport(form)
        filename = f"sales-lines-{timezone.now():%Y%m%d}.{file_format}"
        response: HttpResponseBase
        if file_format == "xlsx":
            count, _ = report.totals()
            if count > reports.XLSX_MAX_LINES:
                message = (
                    f"{formatting.count(count)} lines: an XLSX file holds up to "
                    f"{formatting.count(reports.XLSX_MAX_LINES)}. Narrow the filters or download CSV."
                )
                return HttpResponse(message, status=400, content_type="text/plain")
            response = HttpResponse(report.xlsx_all(), content_type=XLSX_CONTENT_TYPE)
        else:
            response = StreamingHttpResponse(report.csv_stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
