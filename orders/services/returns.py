"""Returns a customer asks for: request, approve, reject, receive, refund, cancel.

The invariant, per order line: units held by open returns + units refunded ≤ units delivered.
It is checked with the order row locked wherever units are claimed (a request here, a staff
refund in `refunds.refund_locked`), so parallel requests and refunds never claim a unit twice.
A step that moves one return locks its row first: two staff acting on it at once, the second
finds the first's status and gets 409. When a step needs both rows the order is locked first,
like every other writer of orders, so the two locks never wait on each other in a cycle.
"""

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import person, record
from inventory.models import Location, MovementReason
from inventory.services import stock_return
from orders import tasks
from orders.models import (
    MAILED_RETURN_STATUSES,
    Order,
    Refund,
    RefundReason,
    Return,
    ReturnCondition,
    ReturnDisposition,
    ReturnLine,
    ReturnStatus,
    ReturnStatusChange,
)
from orders.selectors import (
    RETURNS_VERSION_KEY,
    delivered_at,
    manages_orders,
    refunded_so_far,
    units_held_by_returns,
)
from salesbackend.background import enqueue_on_commit
from salesbackend.exceptions import ConflictError
from salesbackend.replica import read_side_version_bump_on_commit

from .allocations import restock_origins
from .lines import merged_lines
from .refunds import refund_locked
from .status import REFUNDABLE_STATUSES, order_lock

R = ReturnStatus
RETURN_TRANSITIONS: dict[str, frozenset[str]] = {
    R.REQUESTED: frozenset({R.APPROVED, R.REJECTED, R.CANCELLED}),
    R.APPROVED: frozenset({R.RECEIVED, R.CANCELLED}),
    R.RECEIVED: frozenset({R.REFUNDED}),
    R.REFUNDED: frozenset(),
    R.REJECTED: frozenset(),
    R.CANCELLED: frozenset(),
}
# The steps the customer is e-mailed about (after commit, once: `tasks.send_return_mail`).
MAILED_STATUSES = frozenset(MAILED_RETURN_STATUSES)
CANCELLABLE_BY_OWNER = frozenset({R.REQUESTED})
CANCELLABLE_BY_STAFF = frozenset({R.REQUESTED, R.APPROVED})


@transaction.atomic(durable=True)
def return_request(
    *,
    order: Order,
    lines: Sequence[Mapping[str, Any]],
    reason: str,
    note: str = "",
    actor,
) -> Return:
    """Ask to send back delivered units: the order's owner, or staff on the customer's behalf.

    Only a delivered or partly refunded order, within RETURN_WINDOW_DAYS of its delivery (else
    409 `return_window_closed`); the units may not exceed what was delivered less what is
    refunded or held by another open return (else 409 `nothing_to_return`), checked with the
    order row locked.
    """
    locked = order_lock(order)
    if not (manages_orders(actor) or (actor is not None and actor.pk == locked.customer_id)):
        raise PermissionDenied("Only the order's customer or staff ask for a return.")
    if reason not in RefundReason.values:
        raise ValidationError({"reason": [f"Unknown reason {reason!r}."]})
    if locked.status not in REFUNDABLE_STATUSES:
        raise ConflictError(
            f"An order that is {locked.status} cannot be returned: only delivered goods can.",
            code="return_window_closed",
        )
    delivered = delivered_at(locked)
    window = timedelta(days=settings.RETURN_WINDOW_DAYS)
    if delivered is None or delivered + window < timezone.now():
        raise ConflictError(
            f"Returns are accepted for {settings.RETURN_WINDOW_DAYS} days after delivery.",
            code="return_window_closed",
        )
    so_far = refunded_so_far(locked)
    items = [item for item, _ in so_far]
    wanted = _named_units(lines, items, verb="return")
    held = units_held_by_returns(locked)
    over = [
        {
            "product": item.product_id,
            "sku": item.sku,
            "requested": wanted[item],
            "available": item.quantity - done.quantity - held.get(item.pk, 0),
        }
        for item, done in so_far
        if item in wanted and wanted[item] > item.quantity - done.quantity - held.get(item.pk, 0)
    ]
    if over:
        raise ConflictError(
            "More units than were delivered and are not yet refunded or in another open return.",
            code="nothing_to_return",
            extra={"items": over},
        )
    created = Return.objects.create(
        order=locked,
        customer_id=locked.customer_id,
        reason=reason,
        note=note,
        requested_by=person(actor),
    )
    # The id is unique, so a number made from it is too (like an order's SO- number).
    created.number = f"RMA-{created.created_at:%Y}-{created.pk:06d}"
    created.save(update_fields=["number"])
    ReturnLine.objects.bulk_create(
        ReturnLine(
            return_request=created, order_item=item, product_id=item.product_id, sku=item.sku, quantity=qty
        )
        for item, qty in wanted.items()
    )
    ReturnStatusChange.objects.create(
        return_request=created, from_status="", to_status=R.REQUESTED, by=person(actor), note=note
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=created,
        changes={
            "order": [None, locked.number],
            "status": [None, R.REQUESTED],
            "reason": [None, reason],
            "items": [None, [{"sku": item.sku, "quantity": qty} for item, qty in wanted.items()]],
        },
    )
    return created


@transaction.atomic(durable=True)
def return_approve(*, return_request: Return, actor, note: str = "") -> Return:
    _staff_only(actor)
    locked = _return_lock(return_request)
    return _transition(locked, to_status=R.APPROVED, actor=actor, note=note)


@transaction.atomic(durable=True)
def return_reject(*, return_request: Return, actor, note: str) -> Return:
    """Refuse a requested return; the note (the customer is told why) is required."""
    _staff_only(actor)
    if not (note or "").strip():
        raise ValidationError({"note": ["Say why the return is rejected: the customer is told."]})
    locked = _return_lock(return_request)
    return _transition(locked, to_status=R.REJECTED, actor=actor, note=note)


@transaction.atomic(durable=True)
def return_cancel(*, return_request: Return, actor, note: str = "") -> Return:
    """Withdraw a return: its owner while requested, staff while requested or approved."""
    locked = _return_lock(return_request)
    if manages_orders(actor):
        cancellable = CANCELLABLE_BY_STAFF
    elif actor is not None and actor.pk == locked.customer_id:
        cancellable = CANCELLABLE_BY_OWNER
    else:
        raise PermissionDenied("You may not cancel this return.")
    if locked.status not in cancellable:
        raise ConflictError(
            f"A return that is {locked.status} cannot be cancelled.", code="invalid_transition"
        )
    return _transition(locked, to_status=R.CANCELLED, actor=actor, note=note)


@transaction.atomic(durable=True)
def return_receive(
    *,
    return_request: Return,
    lines: Sequence[Mapping[str, Any]],
    actor,
    note: str = "",
    location: Location | None = None,
) -> Return:
    """The parcel arrived: per product the units received (at most those asked back), their
    condition and disposition. Restocked units go back on the shelf as `return` movements (at
    `location`, else where they were sold from),
    scrapped ones move no stock. Lines not named received nothing; those units are released."""
    _staff_only(actor)
    locked = _return_lock(return_request)
    _check_transition(locked, R.RECEIVED)
    return_lines = list(locked.lines.select_related("product"))
    received = _received_lines(lines, return_lines)
    restocked: list[tuple[Any, int]] = []
    for line in return_lines:
        quantity, condition, disposition = received.get(line, (0, "", ""))
        line.received, line.condition, line.disposition = quantity, condition, disposition
        if quantity and disposition == ReturnDisposition.RESTOCK:
            restocked.append((line.order_item, quantity))
    ReturnLine.objects.bulk_update(return_lines, ["received", "condition", "disposition"])
    read_side_version_bump_on_commit(RETURNS_VERSION_KEY)  # the returns report counts received units
    if restocked:
        stock_return(
            lines=restock_origins(restocked, location=location),
            actor=person(actor),
            order_id=locked.order_id,
            reason=MovementReason.RETURN,
        )
    return _transition(
        locked,
        to_status=R.RECEIVED,
        actor=actor,
        note=note,
        changes={
            "received": [
                None,
                [
                    {"sku": line.sku, "quantity": line.received, "disposition": line.disposition}
                    for line in return_lines
                    if line.received
                ],
            ]
        },
    )


@transaction.atomic(durable=True)
def return_refund(*, return_request: Return, actor) -> Refund:
    """Pay back exactly the received units through the staff refund path (`refund_locked`), so
    amounts, tax shares and ledger reversals are the same as a staff refund of those units;
    `restock=False`, since receiving already restocked."""
    _staff_only(actor)
    order = order_lock(Order(pk=return_request.order_id))
    locked = _return_lock(return_request)
    _check_transition(locked, R.REFUNDED)
    lines = [
        {"product": line.product_id, "quantity": line.received}
        for line in locked.lines.all()
        if line.received
    ]
    refund = refund_locked(
        locked=order,
        lines=lines,
        restock=False,
        reason=locked.reason,
        note=f"Return {locked.number}",
        actor=actor,
        for_return=locked,
    )
    locked.refund = refund
    _transition(locked, to_status=R.REFUNDED, actor=actor, note="", changes={"refund": [None, refund.pk]})
    return refund


def _staff_only(actor) -> None:
    if not manages_orders(actor):
        raise PermissionDenied("Only staff handle returns.")


def _return_lock(return_request: Return) -> Return:
    return Return.objects.select_for_update(of=("self",)).get(pk=return_request.pk)


def _check_transition(locked: Return, to_status: str) -> None:
    if to_status not in RETURN_TRANSITIONS[locked.status]:
        raise ConflictError(
            f"A return that is {locked.status} cannot become {to_status}.", code="invalid_transition"
        )


def _transition(
    locked: Return, *, to_status: str, actor, note: str, changes: dict[str, list] | None = None
) -> Return:
    """Move a locked return: its status, a history entry, an audit entry, the customer's mail."""
    _check_transition(locked, to_status)
    from_status = locked.status
    locked.status = to_status
    locked.save(update_fields=["status", "refund", "updated_at"])
    change = ReturnStatusChange.objects.create(
        return_request=locked, from_status=from_status, to_status=to_status, by=person(actor), note=note
    )
    audit_changes: dict[str, list] = {"status": [from_status, to_status], **(changes or {})}
    if note:
        audit_changes["note"] = [None, note]
    record(actor=actor, action=AuditAction.STATUS_CHANGE, entity=locked, changes=audit_changes)
    if to_status in MAILED_STATUSES:
        enqueue_on_commit(tasks.send_return_mail, change.pk)
    return locked


def _named_units(lines: Sequence[Mapping[str, Any]], items: list, *, verb: str) -> dict:
    """The order lines and merged quantities that `lines` name (by product id or SKU)."""
    if not lines:
        raise ValidationError({"items": [f"Name at least one item to {verb}."]})
    wanted, errors = merged_lines(
        lines,
        by_id={item.product_id: item for item in items},
        by_sku={item.sku: item for item in items},
        unknown="Product {reference!r} is not in this order.",
    )
    if errors:
        raise ValidationError({"items": errors})
    return wanted


def _received_lines(
    lines: Sequence[Mapping[str, Any]], return_lines: list[ReturnLine]
) -> dict[ReturnLine, tuple[int, str, str]]:
    """Per return line named: (units received, condition, disposition); 400 with a sentence
    per wrong line (not in the return, named twice, more than asked back, a bad choice)."""
    if not lines:
        raise ValidationError({"items": ["Name at least one item received."]})
    by_id = {line.product_id: line for line in return_lines}
    by_sku = {line.sku: line for line in return_lines}
    errors: list[str] = []
    received: dict[ReturnLine, tuple[int, str, str]] = {}
    for entry in lines:
        single, line_errors = merged_lines(
            [entry], by_id=by_id, by_sku=by_sku, unknown="Product {reference!r} is not in this return."
        )
        errors += line_errors
        if not single:
            continue
        ((line, quantity),) = single.items()
        condition, disposition = entry.get("condition"), entry.get("disposition")
        if line in received:
            errors.append(f"Product {line.sku}: name each product once.")
        elif quantity > line.quantity:
            errors.append(f"Product {line.sku}: {quantity} received but {line.quantity} asked back.")
        elif condition not in ReturnCondition.values:
            errors.append(f"Product {line.sku}: unknown condition {condition!r}.")
        elif disposition not in ReturnDisposition.values:
            errors.append(f"Product {line.sku}: unknown disposition {disposition!r}.")
        else:
            received[line] = (quantity, condition, disposition)
    if errors:
        raise ValidationError({"items": errors})
    return received
