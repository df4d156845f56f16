"""JSON analytics under /api/v1/analytics/: one small view per question, for roles with
`analytics.view_sales_reports` (ceo, salesperson). Each view names its report (form,
cached selector) and its output serializer; the OpenAPI schema is read from both."""

from django import forms
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics import reports, serializers
from analytics.forms import form_errors
from analytics.permissions import CanViewSalesReports

PARAMETER_HELP = {
    "period": "A relative period instead of start and end (days of SALES_TIME_ZONE): today, yesterday, "
    "last_7_days, last_30_days, month_to_date, previous_month, quarter_to_date, year_to_date, previous_year.",
    "start": "First day, inclusive (YYYY-MM-DD, a day of SALES_TIME_ZONE).",
    "end": "Last day, inclusive (YYYY-MM-DD, a day of SALES_TIME_ZONE).",
    "category": "Category slug; includes its sub-categories.",
    "channel": "Sales channel code, e.g. web.",
    "product": "Product id.",
    "compare": "Add the earlier span's figures: previous_period (as many days just before) or previous_year "
    "(the same dates a year earlier, 29 February -> 28 February); none or absent: no comparison. Needs a "
    "span with both ends (start and end, or period); otherwise the added keys are null.",
    "by": "Rank by revenue (default) or units.",
    "limit": "How many rows (1-100).",
    "group_by": "Period length (default month).",
    "as_of": "The day customers are scored and targets measured as of (default today, SALES_TIME_ZONE).",
    "segment": "Only the customers of this segment.",
    "page": "Page of customers (from 1).",
    "page_size": "Customers per page (1-500, default 100).",
    "window_days": "Days of sales to average (default 30, up to today).",
    "lead_days": "Days a reorder takes to arrive (default 7).",
    "safety_days": "Days of extra stock to keep (default 7).",
    "state": "Only products in this state.",
}
FORMATS = (
    "\n\nMoney is a decimal string with 2 places; `share` and `margin` are fractions as decimal "
    'strings with 4 places ("0.2500" = 25 %); revenue, cost, units and orders are net of '
    "refunds and cancellations after payment. Bad filters answer 400 with field messages. "
    "Answers are cached and recomputed as soon as a sale is recorded or reversed."
)


def form_parameters(form_class: type[forms.Form]) -> list[OpenApiParameter]:
    """The form's fields as documented query parameters: one definition for both."""
    parameters = []
    for name, field in form_class.base_fields.items():
        enum = None
        if isinstance(field, forms.ModelChoiceField):
            kind = OpenApiTypes.STR if field.to_field_name else OpenApiTypes.INT
        elif isinstance(field, forms.ChoiceField):
            kind, enum = OpenApiTypes.STR, [value for value, _ in field.choices]
        elif isinstance(field, forms.DateField):
            kind = OpenApiTypes.DATE
        else:
            kind = OpenApiTypes.INT
        parameters.append(
            OpenApiParameter(
                name,
                kind,
                OpenApiParameter.QUERY,
                required=field.required,
                enum=enum,
                description=PARAMETER_HELP.get(name, str(field.label)),
            )
        )
    return parameters


class AnalyticsSchema(AutoSchema):
    def get_override_parameters(self) -> list[OpenApiParameter]:
        return form_parameters(self.view.report_class.form_class)

    def get_response_serializers(self):
        return self.view.serializer_class(many=self.view.many)

    def get_description(self) -> str:
        return super().get_description() + FORMATS

    def get_tags(self) -> list[str]:
        return ["analytics"]


class AnalyticsView(APIView):
    permission_classes = [CanViewSalesReports]
    schema = AnalyticsSchema()
    report_class: type[reports.Report]
    serializer_class: type[serializers.serializers.Serializer]
    many = True

    def get(self, request: Request) -> Response:
        form = self.report_class.form_class(request.query_params)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        answer = self.report_class(form).answer()
        return Response(self.serializer_class(answer, many=self.many).data)


class SummaryView(AnalyticsView):
    """Revenue, cost, profit, margin, net orders, units, average order value, customers and
    the orders placed in the window per status."""

    report_class = reports.SummaryReport
    serializer_class = serializers.SummarySerializer
    many = False


class TopProductsView(AnalyticsView):
    """Best sellers by revenue or units, ranked with RANK() (ties share a rank: 1, 1, 3);
    `share` = revenue / total revenue of all products in the window."""

    report_class = reports.TopProductsReport
    serializer_class = serializers.ProductRankSerializer


class BottomProductsView(AnalyticsView):
    """Lowest sellers, rank 1 the lowest, including active products that sold nothing."""

    report_class = reports.BottomProductsReport
    serializer_class = serializers.ProductRankSerializer


class RevenueView(AnalyticsView):
    """Net revenue per day, week (from Monday), month or year; empty periods are present
    with zeros; running total and change against the previous period."""

    report_class = reports.RevenueReport
    serializer_class = serializers.RevenuePeriodSerializer


class CompareView(AnalyticsView):
    """Two date ranges under the same filters; `difference` = period2 - period1 revenue and
    `change_pct` is that change in percent of period1 (the baseline)."""

    report_class = reports.CompareReport
    serializer_class = serializers.CompareSerializer
    many = False


class ByCategoryView(AnalyticsView):
    """Net sales per category (as recorded with each sale), ranked by revenue."""

    report_class = reports.CategoryReport
    serializer_class = serializers.CategorySalesSerializer


class ByChannelView(AnalyticsView):
    """Net sales and net orders per channel, ranked by revenue."""

    report_class = reports.ChannelReport
    serializer_class = serializers.ChannelSalesSerializer


class CategoryLeadersView(AnalyticsView):
    """The top `limit` products by revenue inside each category, ties included:
    RANK() OVER (PARTITION BY category ORDER BY revenue DESC) filtered on the rank."""

    report_class = reports.CategoryLeadersReport
    serializer_class = serializers.CategoryLeaderSerializer


class DiscountsView(AnalyticsView):
    """Net sales per discount code (null: orders without one), ranked by revenue."""

    report_class = reports.DiscountCodeReport
    serializer_class = serializers.DiscountCodeSalesSerializer


class AbcView(AnalyticsView):
    """ABC analysis: every active product by value with its cumulative share (a running
    SUM() OVER (ORDER BY value DESC ROWS UNBOUNDED PRECEDING) over the total)."""

    report_class = reports.AbcReport
    serializer_class = serializers.AbcProductSerializer


class InventoryView(AnalyticsView):
    """Stock against recent sales: units per day, days of cover, reorder point, what to order."""

    report_class = reports.InventoryReport
    serializer_class = serializers.InventoryProductSerializer


class ReturnsView(AnalyticsView):
    """Per product with units received back through returns in the window: units sold (before
    refunds), units returned, rate = returned / sold and the most frequent reason; highest
    rate first."""

    report_class = reports.ReturnsReport
    serializer_class = serializers.ProductReturnsSerializer


class CustomerSummaryView(AnalyticsView):
    """New and returning customers per period: a customer is new in the period of their first
    paid sale (MIN over their sales), returning after; repeat rate = returning / customers."""

    report_class = reports.CustomerSummaryReport
    serializer_class = serializers.CustomerPeriodSerializer


class CustomerCohortsView(AnalyticsView):
    """Monthly cohorts by first paid sale, with the share of each cohort buying in every
    month since."""

    report_class = reports.CohortReport
    serializer_class = serializers.CohortSerializer


class CustomerRfmView(AnalyticsView):
    """Customers scored 1-5 by NTILE(5) on recency, frequency and monetary value as of a day,
    with named segments; `segment` filters the listed customers, one `page` at a time."""

    report_class = reports.RfmReport
    serializer_class = serializers.RfmSerializer
    many = False
