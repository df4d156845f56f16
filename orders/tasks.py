"""Background work of orders: the confirmation e-mail that placement enqueues, the e-mails
about a return's steps, and the periodic
jobs of CELERY_BEAT_SCHEDULE. Services and tasks import each other as modules (`tasks.x`,
`services.x` at call time), so either may be imported first."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from orders import services
from orders.ledger import sales_ledger_partitions_ensure, sales_rollup_verify
from orders.models import MAILED_RETURN_STATUSES, Order, ReturnStatus, ReturnStatusChange

# A sweep every 15 s at a few hundred orders a second: thousands; each is a few quick queries.
CONFIRMATIONS_PER_SWEEP = 10_000


@shared_task
def send_order_confirmation(order_id: int) -> int:
    """E-mail the customer what they ordered and what it costs, once. Returns the mails sent.

    With ORDER_CONFIRMATIONS=task, placement enqueues this for each order on commit.
    """
    return _confirm(order_id)


def _confirm(order_id: int, connection: BaseEmailBackend | None = None) -> int:
    """Send one order's confirmation unless it went out already.

    Safe to run again (a redelivery after a worker died, two sweeps at once): the order row is
    locked while its e-mail goes out and marked sent in the same transaction; a second run
    finds it sent, or locked by the first, and sends nothing.
    """
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("customer")
            .filter(pk=order_id, confirmation_sent_at__isnull=True)
            .first()
        )
        if order is None:
            return 0
        sent = _confirmation_mail(order, connection) if order.customer.email else 0
        Order.objects.filter(pk=order.pk).update(confirmation_sent_at=timezone.now())
        return sent


def _confirmation_mail(order, connection: BaseEmailBackend | None) -> int:
    lines = "\n".join(
        f"  {item.quantity} x {item.name} ({item.sku}) {item.line_total} {order.currency}"
        for item in order.items.all()
    )
    return send_mail(
        subject=f"Order {order.number} confirmed",
        message=(
            f"Hello {order.customer.first_name or order.customer.username},\n\n"
            f"thank you for your order {order.number}.\n\n{lines}\n\n"
            f"Subtotal {order.subtotal}\nDiscount {order.discount}\nTax {order.tax}\n"
            f"Shipping {order.shipping}\nTotal {order.total} {order.currency}\n"
        ),
        from_email=None,
        recipient_list=[order.customer.email],
        connection=connection,
    )


RETURN_MAIL_TEXT = {
    ReturnStatus.APPROVED: (
        "approved",
        "we have approved your return {number} for order {order}. Please send the items back.",
    ),
    ReturnStatus.REJECTED: ("rejected", "we cannot accept your return {number} for order {order}."),
    ReturnStatus.REFUNDED: (
        "refunded",
        "we have refunded {amount} {currency} for your return {number} of order {order}.",
    ),
}


@shared_task
def send_return_mail(change_id: int) -> int:
    """E-mail the customer that their return was approved, rejected or refunded, once.

    Like `_confirm`: the history entry is the outbox row, locked while the mail goes out and
    marked sent in the same transaction, so a task that runs twice sends one e-mail.
    """
    return _return_mail(change_id)


def _return_mail(change_id: int, connection: BaseEmailBackend | None = None) -> int:
    with transaction.atomic():
        change = (
            ReturnStatusChange.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("return_request__customer", "return_request__order", "return_request__refund")
            .filter(pk=change_id, mail_sent_at__isnull=True, to_status__in=list(RETURN_MAIL_TEXT))
            .first()
        )
        if change is None:
            return 0
        returned = change.return_request
        word, text = RETURN_MAIL_TEXT[change.to_status]
        body = text.format(
            number=returned.number,
            order=returned.order.number,
            amount=returned.refund.amount if returned.refund else "",
            currency=returned.order.currency,
        )
        if change.to_status == ReturnStatus.REJECTED and change.note:
            body += f"\n\n{change.note}"
        customer = returned.customer
        sent = (
            send_mail(
                subject=f"Return {returned.number} {word}",
                message=f"Hello {customer.first_name or customer.username},\n\n{body}\n",
                from_email=None,
                recipient_list=[customer.email],
                connection=connection,
            )
            if customer.email
            else 0
        )
        ReturnStatusChange.objects.filter(pk=change.pk).update(mail_sent_at=timezone.now())
        return sent


@shared_task
def send_pending_return_mails() -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): return e-mails still unsent a minute after their
    step, within ORDER_CONFIRMATION_RETRY_HOURS (the broker was down at commit). Returns the
    mails sent."""
    now = timezone.now()
    unsent = list(
        ReturnStatusChange.objects.filter(
            mail_sent_at__isnull=True,
            to_status__in=MAILED_RETURN_STATUSES,
            created_at__gte=now - timedelta(hours=settings.ORDER_CONFIRMATION_RETRY_HOURS),
            created_at__lte=now - timedelta(minutes=1),
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:CONFIRMATIONS_PER_SWEEP]
    )
    if not unsent:
        return 0
    with get_connection() as connection:
        return sum(_return_mail(change_id, connection) for change_id in unsent)


@shared_task
def send_pending_confirmations() -> int:
    """Every ORDER_CONFIRMATION_SWEEP_SECONDS (CELERY_BEAT_SCHEDULE): the confirmations still
    unsent of orders placed in the last ORDER_CONFIRMATION_RETRY_HOURS, sent here one after the
    other over one mail connection. Returns the mails sent.

    With ORDER_CONFIRMATIONS=outbox (the default with a broker) this is how every confirmation
    leaves: placement publishes nothing, and the worker runs one task per sweep instead of one
    per order. With ORDER_CONFIRMATIONS=task each order's own task sends it, and the sweep only
    takes what is still unsent a minute on (the broker was down when the order was placed).
    """
    now = timezone.now()
    settled = timedelta(0) if settings.ORDER_CONFIRMATIONS == "outbox" else timedelta(minutes=1)
    unsent = list(
        Order.objects.filter(
            confirmation_sent_at__isnull=True,
            created_at__gte=now - timedelta(hours=settings.ORDER_CONFIRMATION_RETRY_HOURS),
            created_at__lte=now - settled,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:CONFIRMATIONS_PER_SWEEP]
    )
    if not unsent:
        return 0
    with get_connection() as connection:
        return sum(_confirm(order_id, connection) for order_id in unsent)


@shared_task
def verify_sales_rollups() -> dict[str, int]:
    """Nightly (CELERY_BEAT_SCHEDULE): rebuild the sales rollups if they ever differ from the
    ledger; returns how many rows differed per rollup ({} when exact, the usual answer)."""
    return sales_rollup_verify(actor=None)


@shared_task
def ensure_sales_ledger_partitions() -> list[str]:
    """Daily (CELERY_BEAT_SCHEDULE): the sales ledger's monthly partitions three months ahead, so
    no sale lands in the default partition; returns the partitions created (usually none)."""
    return sales_ledger_partitions_ensure()


@shared_task
def expire_pending_orders() -> int:
    """Every minute: cancel the pending orders nobody paid in ORDER_PENDING_MINUTES."""
    return services.orders_expire()
