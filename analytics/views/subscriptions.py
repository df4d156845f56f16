"""Report subscriptions over the API (own ones; the CEO sees all) and the Subscribe button."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from analytics import subscriptions
from analytics.forms import SubscribeForm
from analytics.models import ReportSubscription
from analytics.pages import REPORT_PAGES
from analytics.permissions import CanViewSalesReports
from analytics.serializers import ReportSubscriptionSerializer
from salesbackend.zone import sales_zone, sales_zone_name

from .owned import OwnedByStaffViewSet


class ReportSubscriptionViewSet(OwnedByStaffViewSet):
    permission_classes = [CanViewSalesReports]
    serializer_class = ReportSubscriptionSerializer
    queryset = ReportSubscription.objects.none()  # for the schema; get_queryset scopes by user

    def owned_by(self, user):
        return subscriptions.report_subscriptions_of(user)

    def create_owned(self, *, actor, data):
        return subscriptions.report_subscription_create(user=actor, actor=actor, **data)

    def update_owned(self, owned, *, actor, data):
        return subscriptions.report_subscription_update(subscription=owned, actor=actor, data=data)

    def delete_owned(self, owned, *, actor):
        subscriptions.report_subscription_delete(subscription=owned, actor=actor)


def _back_to(report: str) -> HttpResponse:
    return redirect(f"reports:{report}" if report in REPORT_PAGES else "reports:overview")


@require_POST
@permission_required("analytics.view_sales_reports", raise_exception=True)
def subscribe(request: HttpRequest, report: str) -> HttpResponse:
    """The report pages' Subscribe form: this page with its current filters, at the frequency
    and hour chosen; the page then says what was subscribed and when it is first sent."""
    form = SubscribeForm(request.POST)
    filters = {
        name: value
        for name, value in request.POST.items()
        if value and name not in ("csrfmiddlewaretoken", "frequency", "hour", "format", "table", "page")
    }
    if not form.is_valid():
        errors = " ".join(str(message) for messages_ in form.errors.values() for message in messages_)
        messages.error(request, f"Not subscribed: {errors}")
        return _back_to(report)
    try:
        subscription = subscriptions.report_subscription_create(
            user=request.user, actor=request.user, report=report, filters=filters, **form.cleaned_data
        )
    except ValidationError as error:
        messages.error(request, f"Not subscribed: {' '.join(error.messages)}")
    else:
        zone = sales_zone_name()
        first = subscriptions.next_due(subscription, timezone.now()).astimezone(sales_zone())
        email = getattr(request.user, "email", "") or "you"
        messages.success(
            request,
            f"Subscribed to “{REPORT_PAGES[report].title}”: it will be e-mailed to {email} "
            f"{subscriptions.schedule_in_words(subscription)}, first on {first:%A %d %B %Y at %H:%M} {zone}.",
        )
    return _back_to(report)


@require_POST
@permission_required("analytics.view_sales_reports", raise_exception=True)
def unsubscribe(request: HttpRequest, pk: int) -> HttpResponse:
    """A report page's Unsubscribe button: only one's own subscription (the CEO's too; the
    CEO manages others' in the admin and the API). Another's is 404 and stays as it was."""
    subscription = get_object_or_404(ReportSubscription, pk=pk, user=request.user)
    report = subscription.report
    title = REPORT_PAGES[report].title if report in REPORT_PAGES else report
    schedule = subscriptions.schedule_in_words(subscription)
    subscriptions.report_subscription_delete(subscription=subscription, actor=request.user)
    messages.success(request, f"Unsubscribed: “{title}” will no longer be e-mailed to you {schedule}.")
    return _back_to(report)
