"""Returns a customer asks for (`orders.services.returns`): their lines and their history.

Nothing here is ever deleted (every foreign key PROTECTs): a return, rejected or cancelled,
stays as the record of what was asked and decided.
"""

from django.conf import settings
from django.db import models

from catalog.models import Product

from .orders import Order, OrderItem, Refund, RefundReason


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested"
    APPROVED = "approved"
    RECEIVED = "received"
    REFUNDED = "refunded"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


# Statuses whose units are held: no other return and no staff refund may claim them.
OPEN_RETURN_STATUSES = (ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.RECEIVED)


# The steps the customer is e-mailed about (`orders.tasks.send_return_mail`).
MAILED_RETURN_STATUSES = (ReturnStatus.APPROVED, ReturnStatus.REJECTED, ReturnStatus.REFUNDED)


class ReturnCondition(models.TextChoices):
    OK = "ok"
    OPENED = "opened"
    DAMAGED = "damaged"


class ReturnDisposition(models.TextChoices):
    RESTOCK = "restock"
    SCRAP = "scrap"


class Return(models.Model):
    number = models.CharField(max_length=32, unique=True, null=True, blank=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="returns")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED)
    reason = models.CharField(max_length=16, choices=RefundReason.choices)
    note = models.TextField(blank=True)  # the customer's words (or staff's on their behalf)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refund = models.OneToOneField(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="return_request"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["customer", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.number or f"Return #{self.pk}"


class ReturnLine(models.Model):
    """Units of one order line asked back; `received`, `condition` and `disposition` are set
    when the parcel arrives."""

    return_request = models.ForeignKey(Return, on_delete=models.PROTECT, related_name="lines")
    order_item = models.ForeignKey(OrderItem, on_delete=models.PROTECT, related_name="return_lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    received = models.PositiveIntegerField(default=0)
    condition = models.CharField(max_length=8, choices=ReturnCondition.choices, blank=True)
    disposition = models.CharField(max_length=8, choices=ReturnDisposition.choices, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="orders_return_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(received__lte=models.F("quantity")),
                name="orders_return_line_received_at_most_asked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class ReturnStatusChange(models.Model):
    """One step of a return. The steps the customer is told about (approved, rejected, refunded)
    are their own outbox rows: `mail_sent_at` is claimed by the task that sends the e-mail, so a
    task that runs twice sends it once."""

    return_request = models.ForeignKey(Return, on_delete=models.PROTECT, related_name="history")
    from_status = models.CharField(max_length=16, choices=ReturnStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ReturnStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    mail_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # the sweep's question: which e-mails are still unsent (a handful at any time)
            models.Index(
                fields=["created_at"],
                condition=models.Q(mail_sent_at__isnull=True, to_status__in=MAILED_RETURN_STATUSES),
                name="orders_return_mail_unsent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"
