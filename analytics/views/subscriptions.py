"""Report subscriptions over the API (own ones; the CEO sees all) and the Subscribe button."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from accounts.permissions import CanViewSalesReports
from analytics import subscriptions
from analytics.models import Frequency, ReportSubscription
from analytics.pages import REPORT_PAGES
from analytics.serializers import ReportSubscriptionSerializer


class ReportSubscriptionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Staff's own subscriptions; the CEO (who manages users) sees and changes everyone's."""

    permission_classes = [CanViewSalesReports]
    serializer_class = ReportSubscriptionSerializer
    queryset = ReportSubscription.objects.none()  # for the schema; get_queryset scopes by user
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReportSubscription.objects.none()
        return subscriptions.report_subscriptions_of(self.request.user)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = subscriptions.report_subscription_create(
            user=request.user, actor=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(subscription).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        subscription = self.get_object()
        serializer = self.get_serializer(subscription, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        subscription = subscriptions.report_subscription_update(
            subscription=subscription, actor=request.user, data=serializer.validated_data
        )
        return Response(self.get_serializer(subscription).data)

    def destroy(self, request, pk=None):
        subscriptions.report_subscription_delete(subscription=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@require_POST
@permission_required("analytics.view_sales_reports", raise_exception=True)
def subscribe(request: HttpRequest, report: str) -> HttpResponse:
    """The report pages' Subscribe button: this page with its current filters."""
    filters = {
        name: value
        for name, value in request.POST.items()
        if value and name not in ("csrfmiddlewaretoken", "frequency", "hour", "format", "table")
    }
    try:
        subscriptions.report_subscription_create(
            user=request.user,
            actor=request.user,
            report=report,
            filters=filters,
            frequency=request.POST.get("frequency") or Frequency.WEEKLY,
            hour=int(request.POST.get("hour") or 7),
        )
    except (ValidationError, ValueError) as error:
        text = (
            " ".join(error.messages) if isinstance(error, ValidationError) else "Choose an hour from 0 to 23."
        )
        messages.error(request, f"Not subscribed: {text}")
    else:
        messages.success(request, "Subscribed: this report will be e-mailed to you.")
    return redirect(f"reports:{report}" if report in REPORT_PAGES else "reports:overview")
