"""Moving orders along the status machine: staff, the owner (cancel), the expiry job."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from orders.models import (
    Order,
    OrderStatus,
    RefundReason,
)
from orders.selectors import manages_orders, refunded_so_far
from salesbackend.exceptions import ConflictError

from .refunds import refund_locked
from .status import CANCELLABLE_BY_OWNER, CANCELLABLE_BY_STAFF, TRANSITIONS, order_lock, order_transition


@transaction.atomic(durable=True)
def order_set_status(*, order: Order, to_status: str, actor, note: str = "") -> Order:
    """Move an order along the status machine: staff (or system work, `actor` None) only. The
    service checks who may, like `order_cancel`, so every door applies the same rule."""
    if actor is not None and not manages_orders(actor):
        raise PermissionDenied("Only staff move an order along the status machine.")
    if to_status not in OrderStatus.values:
        raise ValidationError({"status": [f"Unknown status {to_status!r}."]})
    locked = order_lock(order)
    if to_status not in TRANSITIONS[locked.status]:
        raise ConflictError(
            f"An order that is {locked.status} cannot become {to_status}.", code="invalid_transition"
        )
    if to_status == OrderStatus.PARTIALLY_REFUNDED:
        raise ConflictError(
            "Name the units to refund: POST them to the order's refunds.", code="invalid_transition"
        )
    if to_status == OrderStatus.REFUNDED:  # everything that is left, back in stock
        # Units an open return holds are among what is left: refund_locked refuses them (409
        # `nothing_to_return`) rather than refunding less than "everything" under this name.
        left = [
            {"product": item.product_id, "quantity": item.quantity - done.quantity}
            for item, done in refunded_so_far(locked)
            if item.quantity > done.quantity
        ]
        refund = refund_locked(
            locked=locked, lines=left, restock=True, reason=RefundReason.OTHER, note=note, actor=actor
        )
        return refund.order
    return order_transition(locked, to_status=to_status, actor=actor, note=note)


@transaction.atomic(durable=True)
def order_cancel(*, order: Order, actor, note: str = "") -> Order:
    """Cancel an order: its owner while pending, staff while pending or paid. Stock goes back."""
    locked = order_lock(order)
    if manages_orders(actor):
        cancellable = CANCELLABLE_BY_STAFF
    elif actor is not None and actor.pk == locked.customer_id:
        cancellable = CANCELLABLE_BY_OWNER
    else:
        raise PermissionDenied("You may not cancel this order.")
    if locked.status not in cancellable:
        raise ConflictError(
            f"An order that is {locked.status} cannot be cancelled.", code="invalid_transition"
        )
    return order_transition(locked, to_status=OrderStatus.CANCELLED, actor=actor, note=note)


@transaction.atomic(durable=True)
def order_expire(*, order: Order, placed_before: datetime) -> bool:
    """Cancel a pending order placed before `placed_before` that nobody paid: stock and the
    code's use go back, the status change says "expired", the audit entry has no actor.
    The order is locked first, so a payment and an expiry never both win: whichever locks
    second finds the other's status (a payment then gets 409; the expiry does nothing)."""
    locked = order_lock(order)
    if locked.status != OrderStatus.PENDING or locked.created_at >= placed_before:
        return False
    order_transition(locked, to_status=OrderStatus.CANCELLED, actor=None, note="expired")
    return True


def orders_expire(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Expire the pending orders older than ORDER_PENDING_MINUTES (0: never), each in its own
    transaction (beat runs this every minute; `manage.py expire_orders` too). Returns how many."""
    minutes = settings.ORDER_PENDING_MINUTES
    if minutes <= 0:
        return 0
    placed_before = (now or timezone.now()) - timedelta(minutes=minutes)
    due = Order.objects.filter(status=OrderStatus.PENDING, created_at__lt=placed_before).order_by(
        "created_at"
    )
    return sum(order_expire(order=order, placed_before=placed_before) for order in due.only("pk")[:limit])
