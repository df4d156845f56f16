"""Report alerts: written through one path for the API and the admin (audited; not durable
transactions, since the admin saves inside its own), evaluated on demand, and checked hourly
by Celery beat.

Once per alert and period: the period's key (its name and first day: `month_to_date:2026-03-01`,
`last_7_days:2026-03-10`) is claimed by inserting a `ReportAlertFiring` row in the transaction
that decides to e-mail; a second worker blocks on the unique index until the first commits,
then finds the key taken and sends nothing. The e-mail goes after commit, so a rolled-back
claim sends nothing either. The values are read before that transaction (they may come from
the read replica; nothing inside a transaction does).
"""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from analytics.models import AlertCondition, AlertMetric, AlertPeriod, ReportAlert, ReportAlertFiring
from analytics.selectors.alerts import alert_period, alert_values
from audit.services import audited_create, audited_delete, audited_update, snapshot
from salesbackend import formatting
from salesbackend.zone import sales_date, sales_today

logger = logging.getLogger(__name__)

ALERT_FIELDS = ("name", "metric", "period", "condition", "value", "channel", "category", "is_active")
METRIC_WORDS = {
    AlertMetric.REVENUE: "revenue",
    AlertMetric.ORDERS: "orders",
    AlertMetric.MARGIN: "margin",
    AlertMetric.REFUND_RATE: "refund rate",
    AlertMetric.AVERAGE_ORDER_VALUE: "average order value",
}
PERIOD_WORDS = {
    AlertPeriod.TODAY: "today",
    AlertPeriod.YESTERDAY: "yesterday",
    AlertPeriod.LAST_7_DAYS: "the last 7 days",
    AlertPeriod.MONTH_TO_DATE: "the month to date",
}
FRACTIONS = frozenset({AlertMetric.MARGIN, AlertMetric.REFUND_RATE})


def manages_all_alerts(user) -> bool:
    """The CEO (who manages users) sees and changes everyone's alerts; other staff their own."""
    return user.has_perm("accounts.manage_users")


def report_alerts_of(user) -> QuerySet[ReportAlert]:
    """The alerts `user` may see and change, in the API and the admin alike."""
    alerts = ReportAlert.objects.select_related("user", "channel", "category").order_by("id")
    return alerts if manages_all_alerts(user) else alerts.filter(user=user)


def validate_alert(alert: ReportAlert) -> None:
    """Each field, then the value for its metric (`ReportAlert.clean`), errors on their fields."""
    alert.full_clean(validate_constraints=False)


@transaction.atomic
def report_alert_create(*, user, actor, **fields: Any) -> ReportAlert:
    alert = ReportAlert(user=user, **{name: value for name, value in fields.items() if name in ALERT_FIELDS})
    audited_create(alert, actor=actor, fields=ALERT_FIELDS, validate=validate_alert)
    return alert


@transaction.atomic
def report_alert_update(*, alert: ReportAlert, actor, data: Mapping[str, Any]) -> ReportAlert:
    audited_update(
        alert,
        actor=actor,
        data=data,
        fields=ALERT_FIELDS,
        state=lambda instance: snapshot(instance, ALERT_FIELDS),
        validate=validate_alert,
    )
    return alert


@transaction.atomic
def report_alert_delete(*, alert: ReportAlert, actor) -> None:
    audited_delete(alert, actor=actor, name=alert.name)


@dataclass(frozen=True)
class Evaluation:
    alert: ReportAlert
    value: Decimal | None  # None: nothing to judge (no sales, no revenue, no orders)
    triggered: bool
    start: date
    end: date

    @property
    def period_key(self) -> str:
        return f"{self.alert.period}:{self.start.isoformat()}"


def _holds(condition: str, value: Decimal | None, threshold: Decimal) -> bool:
    if value is None:
        return False
    return value < threshold if condition == AlertCondition.BELOW else value > threshold


def alerts_evaluate(alerts: Sequence[ReportAlert], *, today: date | None = None) -> list[Evaluation]:
    """Every alert's value now and whether its condition holds, in a bounded number of queries."""
    today = today or sales_today()
    values = alert_values(alerts=alerts, today=today)
    return [
        Evaluation(alert, value, _holds(alert.condition, value, alert.value), *alert_period(alert, today))
        for alert, value in zip(alerts, values, strict=True)
    ]


def report_alert_check(alert: ReportAlert, *, today: date | None = None) -> Evaluation:
    """`POST .../check/` and the admin's "Check now": the value now, nothing e-mailed or recorded."""
    return alerts_evaluate([alert], today=today)[0]


def report_alerts_check_due(*, now: datetime | None = None) -> int:
    """The hourly beat task: e-mail the owner of every active alert whose condition holds, the
    first time in its period. Returns how many alerts fired."""
    now = now or timezone.now()
    alerts = list(ReportAlert.objects.filter(is_active=True).select_related("user", "channel", "category"))
    fired = 0
    for evaluation in alerts_evaluate(alerts, today=sales_date(now)):
        if evaluation.triggered and _may_receive(evaluation.alert.user) and _claim(evaluation, now):
            fired += 1
    return fired


def _claim(evaluation: Evaluation, now: datetime) -> bool:
    alert, value = evaluation.alert, evaluation.value
    if value is None:  # never triggered
        return False
    try:
        with transaction.atomic():
            ReportAlertFiring.objects.create(alert=alert, period_key=evaluation.period_key, value=value)
            ReportAlert.objects.filter(pk=alert.pk).update(last_triggered_at=now)
            transaction.on_commit(lambda: _send(evaluation))
    except IntegrityError:
        return False  # another worker (or an earlier hour) fired it for this period
    alert.last_triggered_at = now
    return True


def _may_receive(user) -> bool:
    """Only staff who may still read the reports: a banned or demoted owner gets nothing."""
    return bool(user.is_active and user.email and user.has_perm("analytics.view_sales_reports"))


def value_in_words(metric: str, value: Decimal | None) -> str:
    """A value as the pages print it: money with its currency, orders as a count, fractions in %."""
    if value is None:
        return "nothing to judge"
    if metric in FRACTIONS:
        return formatting.percent(value)
    if metric == AlertMetric.ORDERS:
        return formatting.count(value)
    return formatting.money(value)


def alert_message(evaluation: Evaluation) -> tuple[str, str]:
    """The e-mail's subject and body, in words."""
    alert = evaluation.alert
    metric = METRIC_WORDS[AlertMetric(alert.metric)]
    period = PERIOD_WORDS[AlertPeriod(alert.period)]
    value = value_in_words(alert.metric, evaluation.value)
    threshold = value_in_words(alert.metric, alert.value)
    days = formatting.business_date(evaluation.start)
    if evaluation.end != evaluation.start:
        days = f"{days} to {formatting.business_date(evaluation.end)}"
    scope = [
        f"channel {alert.channel.name}" if alert.channel else "",
        f"category {alert.category.name}" if alert.category else "",
    ]
    scoped = f" ({', '.join(part for part in scope if part)})" if any(scope) else ""
    subject = f"Alert “{alert.name}”: {metric.capitalize()} {alert.condition} {threshold}"
    body = (
        f"{metric.capitalize()}{scoped} for {period} ({days}) is {value}, "
        f"{alert.condition} your threshold of {threshold}.\n\n"
        f"This alert (“{alert.name}”) writes once per period; you will hear from it again "
        f"when the condition holds in a new period.\n"
    )
    return subject, body


def _send(evaluation: Evaluation) -> None:
    subject, body = alert_message(evaluation)
    try:
        send_mail(subject, body, None, [evaluation.alert.user.email])
    except Exception:  # the claim is committed: an outage is logged, never retried into a duplicate
        logger.exception("Alert %s: the e-mail could not be sent.", evaluation.alert.pk)
