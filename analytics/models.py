from django.conf import settings
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
