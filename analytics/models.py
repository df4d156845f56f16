from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models

from orders.models import SalesRecord


class SalesReport(SalesRecord):
    """The sales ledger as read by reports; it exists to carry the reports permission."""

    class Meta:
        proxy = True
        default_permissions = ()
        permissions = [("view_sales_reports", "Can view sales reports and analytics")]


class Frequency(models.TextChoices):
    DAILY = "daily"
    WEEKLY = "weekly"  # on Mondays
    MONTHLY = "monthly"  # on the 1st


class ReportSubscription(models.Model):
    """A report page e-mailed to a staff member at an hour (in SALES_TIME_ZONE), with the page's filters
    (dates only as a relative `period`, so each e-mail covers the same kind of span)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    report = models.CharField(max_length=32)  # a report page's name: reports, channels, abc, ...
    filters = models.JSONField(default=dict, blank=True)
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    hour = models.PositiveSmallIntegerField(validators=[MaxValueValidator(23)])
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id", "report", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(hour__lte=23), name="analytics_subscription_hour")
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.frequency} at {self.hour:02d}:00 for {self.user_id}"


class ReportDelivery(models.Model):
    """One row per subscription and due time, inserted before the e-mail goes out: a second
    worker (or a retry) finds it taken and sends nothing."""

    subscription = models.ForeignKey(ReportSubscription, on_delete=models.CASCADE, related_name="deliveries")
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "due_at"], name="analytics_one_delivery_per_due_time"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} due {self.due_at:%Y-%m-%d %H:%M}"


class TargetMetric(models.TextChoices):
    REVENUE = "revenue"
    ORDERS = "orders"
    UNITS = "units"
    PROFIT = "profit"


class Target(models.Model):
    """An amount of a metric to reach over a span of days (inclusive), optionally for one
    channel and/or one category (with its sub-categories), as the summary filters them."""

    name = models.CharField(max_length=100)
    metric = models.CharField(max_length=8, choices=TargetMetric.choices)
    start = models.DateField()
    end = models.DateField()
    channel = models.ForeignKey(
        "catalog.SalesChannel", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="analytics_target_span"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="analytics_target_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The check constraints in words, on their fields (the API, the admin and the
        services all validate through here)."""
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = ["The end date must not be before the start date."]
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = ["The amount must be greater than zero."]
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None) -> None:
        """Not by constraint name: `clean` says the same on the fields; the database keeps them."""


class AlertMetric(models.TextChoices):
    REVENUE = "revenue"
    ORDERS = "orders"
    MARGIN = "margin"
    REFUND_RATE = "refund_rate", "Refund rate"
    AVERAGE_ORDER_VALUE = "average_order_value", "Average order value"


class AlertPeriod(models.TextChoices):
    TODAY = "today"
    YESTERDAY = "yesterday"
    LAST_7_DAYS = "last_7_days", "Last 7 days"
    MONTH_TO_DATE = "month_to_date", "Month to date"


class AlertCondition(models.TextChoices):
    BELOW = "below"
    ABOVE = "above"


class ReportAlert(models.Model):
    """A staff member's threshold on a metric over a relative period: e-mailed the first time
    the condition holds in a period (margin and refund_rate are fractions: 0.2500 is 25 %)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_alerts")
    name = models.CharField(max_length=100)
    metric = models.CharField(max_length=24, choices=AlertMetric.choices)
    period = models.CharField(max_length=16, choices=AlertPeriod.choices)
    condition = models.CharField(max_length=8, choices=AlertCondition.choices)
    value = models.DecimalField(max_digits=14, decimal_places=4)
    channel = models.ForeignKey(
        "catalog.SalesChannel", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    last_triggered_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.value is None:
            return
        if self.metric in (AlertMetric.MARGIN, AlertMetric.REFUND_RATE) and not 0 <= self.value <= 1:
            raise ValidationError(
                {"value": ["A margin or refund rate is a fraction from 0 to 1 (0.25 is 25 %)."]}
            )
        if self.metric == AlertMetric.ORDERS and self.value != self.value.to_integral_value():
            raise ValidationError({"value": ["Orders are a whole number."]})


class ReportAlertFiring(models.Model):
    """One row per alert and period (its first day): inserted in the transaction that decides to
    e-mail, so a second worker finds it taken and sends nothing (as ReportDelivery does)."""

    alert = models.ForeignKey(ReportAlert, on_delete=models.CASCADE, related_name="firings")
    period_key = models.CharField(max_length=32)  # e.g. "month_to_date:2026-03-01"
    value = models.DecimalField(max_digits=16, decimal_places=4)
    fired_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "period_key"], name="analytics_one_firing_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.period_key}"
