from celery import shared_task
from django.core.mail import send_mail


@shared_task
def send_order_confirmation(order_id: int) -> int:
    """E-mail the customer what they ordered and what it costs. Returns the mails sent."""
    from .models import Order

    order = Order.objects.select_related("customer").prefetch_related("items").filter(pk=order_id).first()
    if order is None or not order.customer.email:
        return 0
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
def verify_sales_rollups() -> dict[str, int]:
    """Nightly (CELERY_BEAT_SCHEDULE): rebuild the sales rollups if they ever differ from the
    ledger; returns how many rows differed per rollup ({} when exact, the usual answer)."""
    from .services import sales_rollup_verify

    return sales_rollup_verify(actor=None)
