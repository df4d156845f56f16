"""The status machine: which status may follow which, the order lock, and a transition with
all its effects (stock back on cancellation, the sale on the ledger on payment or reversed)."""

from collections import Counter
from typing import Any

from django.utils import timezone

from audit.models import AuditAction
from audit.services import person, record
from catalog.models import Product
from inventory.models import MovementReason
from inventory.services import stock_return
from orders.ledger import SALE_FIELDS, reversal_rows, sale_rows, sales_ledger_append, sold_line
from orders.models import (
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
)
from orders.selectors import order_with_rows

TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset({OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}),
    OrderStatus.PARTIALLY_REFUNDED: frozenset({OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.REFUNDED: frozenset(),
}
REFUNDABLE_STATUSES = frozenset({OrderStatus.DELIVERED, OrderStatus.PARTIALLY_REFUNDED})
# The sale is on the books from `paid` on; a cancellation after it reverses it whole (refunds
# reverse the units they name: `order_refund`).
SALE_RECORDED_STATUSES = frozenset({OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED})
# Customers may cancel only before they paid; staff also after payment, before shipping.
CANCELLABLE_BY_OWNER = frozenset({OrderStatus.PENDING})
CANCELLABLE_BY_STAFF = frozenset({OrderStatus.PENDING, OrderStatus.PAID})


def order_lock(order: Order) -> Order:
    """The order row, locked until the transaction ends, so two transitions never interleave;
    with its channel and code, which the answer shows (only the order's own row is locked)."""
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("channel", "discount_code")
        .get(pk=order.pk)
    )


def order_transition(order: Order, *, to_status: str, actor, note: str) -> Order:
    """Apply a validated transition to a locked order with all its effects."""
    from_status = order.status
    order.status = to_status
    order.save(update_fields=["status", "updated_at"])
    OrderStatusChange.objects.create(
        order=order, from_status=from_status, to_status=to_status, by=person(actor), note=note
    )
    items = list(order.items.select_related("product"))
    if to_status == OrderStatus.CANCELLED:  # goods never shipped go back on the shelf
        returned: Counter[Product] = Counter()
        for item in items:
            returned[item.product] += item.quantity
        stock_return(
            lines=returned, actor=person(actor), order_id=order.pk, reason=MovementReason.CANCELLATION
        )
        if from_status in SALE_RECORDED_STATUSES:
            _sales_reverse(order)
    if to_status == OrderStatus.PAID:
        _sales_record(order, items)
    # The answer shows what is in hand: the lines, and no refunds or returns, which need a
    # delivered order (every transition here starts before delivery: refunds go their own way).
    after_sales: dict[str, list] = (
        {} if from_status in REFUNDABLE_STATUSES else {"refunds": [], "returns": []}
    )
    order_with_rows(order, items=items, **after_sales)
    changes: dict[str, list[Any]] = {"status": [from_status, to_status]}
    if note:
        changes["note"] = [None, note]
    record(actor=actor, action=AuditAction.STATUS_CHANGE, entity=order, changes=changes)
    return order


def _sales_record(order: Order, items: list[OrderItem]) -> None:
    """One ledger row per line; revenue is net of the line's share of the order discount,
    which placement fixed (`pricing.line_sales`)."""
    sales_ledger_append(rows=sale_rows([sold_line(order, item) for item in items], at=timezone.now()))


def _sales_reverse(order: Order) -> None:
    """Negative copies of the order's sales rows: the ledger is appended to, never edited."""
    sales = order.sales_records.filter(quantity__gt=0).values(*SALE_FIELDS)
    sales_ledger_append(rows=reversal_rows(sales, at=timezone.now()))
