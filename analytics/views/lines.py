"""GET /api/v1/analytics/lines/: the sales ledger's rows behind any figure, a page at a time."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from analytics import reports
from analytics.forms import LinesForm, form_errors
from analytics.permissions import CanViewSalesReports
from analytics.serializers import SalesLinesPageSerializer
from analytics.views.api import PARAMETER_HELP, form_parameters
from salesbackend.pagination import PageNumberPagination

LINES_HELP = {
    "customer": "Customer (user) id.",
    "kind": "Only sales, or only reversals (refunds, cancellations after payment).",
}


def page_number(request: Request) -> int:
    """`?page=`, from 1; anything else is not a page (404, as every paginated list answers)."""
    given = request.query_params.get("page") or "1"
    if not (given.isascii() and given.isdigit() and int(given) >= 1):
        raise NotFound("Invalid page.")
    return int(given)


def _parameters() -> list[OpenApiParameter]:
    parameters = form_parameters(LinesForm)
    for parameter in parameters:
        parameter.description = LINES_HELP.get(parameter.name, PARAMETER_HELP.get(parameter.name, ""))
    return [
        *parameters,
        OpenApiParameter("page", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Page, from 1."),
        OpenApiParameter(
            "page_size", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Lines per page, 1-100."
        ),
    ]


class SalesLinesView(APIView):
    permission_classes = [CanViewSalesReports]

    @extend_schema(parameters=_parameters(), responses=SalesLinesPageSerializer, tags=["analytics"])
    def get(self, request: Request) -> Response:
        """The sales ledger's lines under the common filters (plus `customer` and `kind`), newest
        first: a sale line per order line paid, a reversal line (negative quantity, revenue and
        cost) per line refunded or cancelled after payment. `totals` sums every matching line, not
        only the page: for the same filters its revenue is the summary's revenue, to the cent."""
        form = LinesForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        page_size = PageNumberPagination().get_page_size(request)
        number = page_number(request)
        report = reports.LinesReport(form)
        count, totals = report.totals()
        last_page = max(1, -(-count // page_size))
        if number > last_page:
            raise NotFound("Invalid page.")
        lines = report.page(offset=(number - 1) * page_size, limit=page_size)
        url = request.build_absolute_uri()
        previous = None
        if number > 1:
            previous = (
                replace_query_param(url, "page", number - 1)
                if number > 2
                else remove_query_param(url, "page")
            )
        answer = {
            "count": count,
            "next": replace_query_param(url, "page", number + 1) if number < last_page else None,
            "previous": previous,
            "totals": totals,
            "results": lines,
        }
        return Response(SalesLinesPageSerializer(answer).data)
