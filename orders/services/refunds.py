"""Refunds of delivered units: money pro rata, ledger reversals, stock back, status."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import person, record
from inventory.models import Location, MovementReason
from inventory.services import stock_return
from orders import pricing
from orders.ledger import refund_rows, sales_ledger_append, sold_line
from orders.models import (
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
    Refund,
    RefundLine,
    RefundReason,
    Return,
)
from orders.selectors import manages_orders, refunded_so_far, units_held_by_returns
from salesbackend.exceptions import ConflictError

from .allocations import restock_origins
from .lines import merged_lines
from .status import REFUNDABLE_STATUSES, order_lock


@transaction.atomic(durable=True)
def order_refund(
    *,
    order: Order,
    lines: Sequence[Mapping[str, Any]],
    restock: bool = True,
    reason: str = RefundReason.OTHER,
    note: str = "",
    actor,
    location: Location | None = None,
) -> Refund:
    """Refund delivered units: `lines` are `{"product": id | "sku": sku, "quantity": n}`.

    In one transaction, with the order locked: each line's net revenue (after its discount
    share) and tax share for those units, pro rata, the last unit taking what rounding left;
    reversing sales records for exactly those units; `return` movements when `restock`; the
    order `partially_refunded`, or `refunded` once every unit is; a status change and an
    audit entry. Restocked units go back where they came from, or to `location`. More than was
    delivered and not yet refunded: 409, nothing written; units
    that an open return holds are refunded only by that return's refund (else 409
    `nothing_to_return`).
    """
    if not manages_orders(actor):
        raise PermissionDenied("Only staff refund orders.")
    return refund_locked(
        locked=order_lock(order),
        lines=lines,
        restock=restock,
        reason=reason,
        note=note,
        actor=actor,
        location=location,
    )


def refund_locked(
    *,
    locked: Order,
    lines: Sequence[Mapping[str, Any]],
    restock: bool,
    reason: str,
    note: str,
    actor,
    for_return: Return | None = None,
    location: Location | None = None,
) -> Refund:
    """`order_refund` of an order this transaction has locked (`order_set_status` to
    `refunded` refunds what is left with it; a return's refund passes `for_return`, whose own
    units are then not counted as held)."""
    if reason not in RefundReason.values:
        raise ValidationError({"reason": [f"Unknown reason {reason!r}."]})
    if locked.status not in REFUNDABLE_STATUSES:
        raise ConflictError(
            f"An order that is {locked.status} cannot be refunded.", code="invalid_transition"
        )
    so_far = refunded_so_far(locked)
    wanted = _refund_quantities(lines, [item for item, _ in so_far])
    over = [
        {
            "product": item.product_id,
            "sku": item.sku,
            "requested": wanted[item],
            "available": item.quantity - done.quantity,
        }
        for item, done in so_far
        if item in wanted and wanted[item] > item.quantity - done.quantity
    ]
    if over:
        raise ConflictError(
            "More units than were delivered and not yet refunded.",
            code="refund_exceeds_delivered",
            extra={"items": over},
        )
    held = units_held_by_returns(locked, exclude=for_return)
    claimed = [
        {
            "product": item.product_id,
            "sku": item.sku,
            "requested": wanted[item],
            "available": item.quantity - done.quantity - held.get(item.pk, 0),
        }
        for item, done in so_far
        if item in wanted and wanted[item] > item.quantity - done.quantity - held.get(item.pk, 0)
    ]
    if claimed:
        raise ConflictError(
            "Some of these units are in an open return: only that return's refund pays them back.",
            code="nothing_to_return",
            extra={"items": claimed},
        )
    shares = pricing.refund_shares(
        lines=[
            pricing.RefundableLine(
                quantity=item.quantity,
                net=item.line_total - item.discount,
                refunded_quantity=done.quantity,
                refunded_revenue=done.revenue,
                refunded_tax=done.tax,
            )
            for item, done in so_far
        ],
        order_tax=locked.tax,
        quantities=[wanted.get(item, 0) for item, _ in so_far],
    )
    refund_lines = [
        RefundLine(
            order_item=item,
            product_id=item.product_id,
            sku=item.sku,
            quantity=wanted[item],
            revenue=revenue,
            tax=tax,
            amount=revenue + tax,
        )
        for (item, _), (revenue, tax) in zip(so_far, shares, strict=True)
        if wanted.get(item)
    ]
    refund = Refund.objects.create(
        order=locked,
        amount=sum((line.amount for line in refund_lines), pricing.ZERO),
        tax=sum((line.tax for line in refund_lines), pricing.ZERO),
        restocked=restock,
        reason=reason,
        note=note,
        by=person(actor),
    )
    for line in refund_lines:
        line.refund = refund
    RefundLine.objects.bulk_create(refund_lines)

    everything = all(done.quantity + wanted.get(item, 0) == item.quantity for item, done in so_far)
    sales_ledger_append(
        rows=refund_rows(
            [(sold_line(locked, line.order_item), line.quantity, line.revenue) for line in refund_lines],
            at=timezone.now(),
            closes_order=everything,
        )
    )
    if restock:
        stock_return(
            lines=restock_origins(
                [(line.order_item, line.quantity) for line in refund_lines], location=location
            ),
            actor=person(actor),
            order_id=locked.pk,
            reason=MovementReason.RETURN,
        )

    to_status = OrderStatus.REFUNDED if everything else OrderStatus.PARTIALLY_REFUNDED
    from_status = locked.status
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    OrderStatusChange.objects.create(
        order=locked, from_status=from_status, to_status=to_status, by=person(actor), note=note or reason
    )
    record(
        actor=actor,
        action=AuditAction.STATUS_CHANGE,
        entity=locked,
        changes={
            "status": [from_status, to_status],
            "refund": [None, refund.pk],
            "items": [None, [{"sku": line.sku, "quantity": line.quantity} for line in refund_lines]],
            "amount": [None, refund.amount],
            "restocked": [None, restock],
            "reason": [None, reason],
        },
    )
    return refund


def _refund_quantities(lines: Sequence[Mapping[str, Any]], items: list[OrderItem]) -> dict[OrderItem, int]:
    """The order lines and merged quantities that `lines` name (by product id or SKU)."""
    if not lines:
        raise ValidationError({"items": ["Name at least one item to refund."]})
    wanted, errors = merged_lines(
        lines,
        by_id={item.product_id: item for item in items},
        by_sku={item.sku: item for item in items},
        unknown="Product {reference!r} is not in this order.",
    )
    if errors:
        raise ValidationError({"items": errors})
    return wanted
