"""Background work of orders: the confirmation e-mail that placement enqueues, and the periodic
jobs of CELERY_BEAT_SCHEDULE. Services and tasks import each other as modules (`tasks.x`,
`services.x` at call time), so either may be imported first."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from orders import services
from orders.ledger import sales_rollup_verify
from orders.models import Order

MISSED_CONFIRMATIONS_PER_RUN = 500


@shared_task
def send_order_confirmation(order_id: int) -> int:
    """E-mail the customer what they ordered and what it costs, once. Returns the mails sent.

    Safe to run again (a redelivery after a worker died, the sweep below): the order row is
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
        sent = _confirmation_mail(order) if order.customer.email else 0
        Order.objects.filter(pk=order.pk).update(confirmation_sent_at=timezone.now())
        return sent


def _confirmation_mail(order) -> int:
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
    )


@shared_task
def send_missed_confirmations() -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): enqueue the confirmations of orders placed in the
    last ORDER_CONFIRMATION_RETRY_HOURS that are still unsent a minute on, e.g. because the
    broker was down when they were placed. Returns how many were enqueued."""
    now = timezone.now()
    unsent = Order.objects.filter(
        confirmation_sent_at__isnull=True,
        created_at__gte=now - timedelta(hours=settings.ORDER_CONFIRMATION_RETRY_HOURS),
        created_at__lte=now - timedelta(minutes=1),
    ).values_list("pk", flat=True)[:MISSED_CONFIRMATIONS_PER_RUN]
    order_ids = list(unsent)
    for order_id in order_ids:
        send_order_confirmation.delay(order_id)
    return len(order_ids)


@shared_task
def verify_sales_rollups() -> dict[str, int]:
    """Nightly (CELERY_BEAT_SCHEDULE): rebuild the sales rollups if they ever differ from the
    ledger; returns how many rows differed per rollup ({} when exact, the usual answer)."""
    return sales_rollup_verify(actor=None)


@shared_task
def expire_pending_orders() -> int:
    """Every minute: cancel the pending orders nobody paid in ORDER_PENDING_MINUTES."""
    return services.orders_expire()
