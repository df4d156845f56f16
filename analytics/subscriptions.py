"""Report subscriptions: when each one is due, and sending it once per due time.

The report pages (`analytics.pages.REPORT_PAGES`) say what a subscription sends: an e-mail
carries the same tables as the page, rendered by the same reports, with CSV attachments.
"""

import io
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from analytics.pages import REPORT_PAGES
from audit.models import AuditAction
from audit.services import audited_update, record, snapshot
from salesbackend.zone import sales_zone, sales_zone_name

from .models import Frequency, ReportDelivery, ReportSubscription

logger = logging.getLogger(__name__)

SUBSCRIPTION_FIELDS = ("report", "filters", "frequency", "hour", "is_active")
# Dates in saved filters are relative: a fixed start/end would send the same span for ever.
FIXED_DATE_FILTERS = ("start", "end", "as_of", "period1_start", "period1_end", "period2_start", "period2_end")


def manages_all_subscriptions(user) -> bool:
    """The CEO (who manages users) sees and changes everyone's subscriptions; other staff their own."""
    return user.has_perm("accounts.manage_users")


def report_subscriptions_of(user) -> QuerySet[ReportSubscription]:
    """The subscriptions `user` may see and change, in the API and the admin alike."""
    subscriptions = ReportSubscription.objects.order_by("id")
    return subscriptions if manages_all_subscriptions(user) else subscriptions.filter(user=user)


def due_at(subscription: ReportSubscription, now: datetime) -> datetime:
    """The latest due time at or before `now`: daily at the hour, weekly on Mondays, monthly on
    the 1st, all in SALES_TIME_ZONE; returned in UTC (the same instant however it is computed,
    so a due time is claimed once)."""
    candidate = _at_the_hour(subscription, now)
    while candidate > now or not _on_schedule(subscription.frequency, candidate):
        candidate -= timedelta(days=1)
    return candidate.astimezone(UTC)


def next_due(subscription: ReportSubscription, now: datetime) -> datetime:
    """The first due time after `now` (in UTC): when a new subscription's first e-mail goes out."""
    candidate = _at_the_hour(subscription, now)
    while candidate <= now or not _on_schedule(subscription.frequency, candidate):
        candidate += timedelta(days=1)
    return candidate.astimezone(UTC)


def _at_the_hour(subscription: ReportSubscription, now: datetime) -> datetime:
    """The subscription's hour on the business's day of `now`, in the business's zone. Stepping a
    day from it keeps the wall-clock hour across a clock change (aware arithmetic keeps the wall
    clock); an hour the change skips is the instant of the change (PEP 495, fold=0)."""
    local = now.astimezone(sales_zone())
    return local.replace(hour=subscription.hour, minute=0, second=0, microsecond=0, fold=0)


SCHEDULE_WORDS = {
    Frequency.DAILY: "every day",
    Frequency.WEEKLY: "every Monday",
    Frequency.MONTHLY: "on the 1st of every month",
}


def schedule_in_words(subscription: ReportSubscription) -> str:
    """E.g. "every Monday at 07:00 UTC" (the hour in SALES_TIME_ZONE), as the report pages say it."""
    words = SCHEDULE_WORDS[Frequency(subscription.frequency)]
    return f"{words} at {subscription.hour:02d}:00 {sales_zone_name()}"


def _on_schedule(frequency: str, moment: datetime) -> bool:
    """Whether the local `moment` falls on the frequency's days (Mondays, the 1st)."""
    if frequency == Frequency.WEEKLY:
        return moment.weekday() == 0
    if frequency == Frequency.MONTHLY:
        return moment.day == 1
    return True


def validate_subscription(subscription: ReportSubscription) -> None:
    subscription.full_clean(validate_constraints=False)
    page = REPORT_PAGES.get(subscription.report)
    if page is None:
        raise ValidationError({"report": [f"Choose one of: {', '.join(REPORT_PAGES)}."]})
    if not isinstance(subscription.filters, dict):
        raise ValidationError({"filters": ["An object of the report page's filters."]})
    fixed = [name for name in FIXED_DATE_FILTERS if subscription.filters.get(name)]
    if fixed:
        raise ValidationError({"filters": [f"Use a relative `period` instead of {', '.join(fixed)}."]})
    unknown = sorted(set(subscription.filters) - set(page.form_class.base_fields))
    if unknown:  # only the page's own filters are kept (nor can odd keys reach the database)
        names = ", ".join(repr(name.encode("unicode_escape").decode()) for name in unknown)
        raise ValidationError({"filters": [f"Not a filter of this report: {names}."]})
    form = page.form_class(_query(subscription.filters))
    if not form.is_valid():
        raise ValidationError(
            {"filters": [f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()]}
        )


def _query(filters: Mapping[str, Any]) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in filters.items():
        query[str(name)] = str(value)
    return query


@transaction.atomic
def report_subscription_create(*, user, actor, **fields: Any) -> ReportSubscription:
    subscription = ReportSubscription(
        user=user, **{k: v for k, v in fields.items() if k in SUBSCRIPTION_FIELDS}
    )
    validate_subscription(subscription)
    subscription.save()
    state = snapshot(subscription, SUBSCRIPTION_FIELDS)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=subscription,
        changes={k: [None, v] for k, v in state.items()},
    )
    return subscription


@transaction.atomic
def report_subscription_update(
    *, subscription: ReportSubscription, actor, data: Mapping[str, Any]
) -> ReportSubscription:
    audited_update(
        subscription,
        actor=actor,
        data=data,
        fields=SUBSCRIPTION_FIELDS,
        state=lambda instance: snapshot(instance, SUBSCRIPTION_FIELDS),
        validate=validate_subscription,
    )
    return subscription


@transaction.atomic
def report_subscription_delete(*, subscription: ReportSubscription, actor) -> None:
    record(
        actor=actor,
        action=AuditAction.DELETE,
        entity=subscription,
        changes={"report": [subscription.report, None]},
    )
    subscription.delete()


def reports_send_due(*, now: datetime | None = None, force: bool = False) -> int:
    """Send every active subscription whose latest due time has not been sent yet (`force`:
    all of them, due now). Returns how many e-mails went out. Each is claimed by inserting
    its (subscription, due time) row first, so two workers never send one twice."""
    now = now or timezone.now()
    sent = 0
    for subscription in ReportSubscription.objects.filter(is_active=True).select_related("user"):
        due = now.replace(microsecond=0) if force else due_at(subscription, now)
        if not force and due < subscription.created_at:
            continue  # not yet due since it was made
        if not _may_receive(subscription.user):
            continue
        try:
            with transaction.atomic():
                ReportDelivery.objects.create(subscription=subscription, due_at=due)
                _send(subscription, due)
        except IntegrityError:
            continue  # another worker claimed this due time
        sent += 1
    return sent


def _may_receive(user) -> bool:
    """Only staff who may still read the reports: a banned or demoted subscriber gets nothing."""
    return bool(user.is_active and user.email and user.has_perm("analytics.view_sales_reports"))


def _send(subscription: ReportSubscription, due: datetime) -> None:
    page = REPORT_PAGES[subscription.report]
    form = page.form_class(_query(subscription.filters))
    if not form.is_valid():  # the catalog changed under the saved filters (a deleted category)
        logger.warning("Subscription %s has filters that no longer apply: %s", subscription.pk, form.errors)
        return
    tables, attachments, answers = [], [], {}
    for report_class in page.report_classes:
        report = report_class(form)
        answer = answers[report.table_name] = report.answer()
        tables.append(report.table(answer))
        out = io.StringIO()
        report.write_csv(answer, out)
        attachments.append((f"{report.table_name}.csv", out.getvalue(), "text/csv"))
    page_url = reverse(f"reports:{subscription.report}")
    link = f"{settings.SITE_URL}{page_url}?{_query(subscription.filters).urlencode()}"
    context = {
        "title": page.title,
        "charts": page.charts(form, answers),  # the page's own charts, from the one chart layer
        "tables": tables,
        "link": link,
        "due": due,
        "zone": sales_zone_name(),
        "filters": subscription.filters,
    }
    message = EmailMultiAlternatives(
        subject=f"{page.title} ({subscription.frequency}, {due.astimezone(sales_zone()):%Y-%m-%d})",
        body=render_to_string("reports/email.txt", context),
        to=[subscription.user.email],
    )
    message.attach_alternative(render_to_string("reports/email.html", context), "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    message.send()
