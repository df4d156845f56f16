"""Transfers between locations: create, ship, receive, cancel; one service per step for every
door (API, admin). Every step locks the transfer, then its products' stock rows through the
stock services' one global order (product id, then location id), as placement does, so a
transfer shipping while orders take the same units never oversells and never deadlocks.

Units in transit belong to no location: shipping takes them off `from_location`
(`transfer_out`), receiving puts them at `to_location` (`transfer_in`), cancelling a shipped
transfer puts them back at `from_location` (`transfer_in`). Shipped units that were not
received are written off at `to_location`: booked in and out again (`transfer_in`,
`transfer_loss`), so every location's ledger still sums to its quantity and the losses are the
`transfer_loss` movements.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.models import AuditAction
from audit.services import person, record
from catalog.models import Product
from salesbackend.exceptions import ConflictError, InsufficientStock
from salesbackend.limits import MAX_STOCK_QUANTITY

from .models import Location, MovementReason, Transfer, TransferLine, TransferStatus
from .services import lock_stock, move_stock

T = TransferStatus


def _products(lines: Sequence[Mapping[str, Any]], field: str = "items") -> dict[Product, int]:
    """`{"product": id | "sku": sku, "quantity": n}` lines as products with merged quantities;
    an unknown product or a bad quantity is a 400 naming the line."""
    ids = {line["product"] for line in lines if line.get("product") is not None}
    skus = {line["sku"] for line in lines if line.get("product") is None and line.get("sku")}
    found = list(Product.objects.filter(Q(pk__in=ids) | Q(sku__in=skus)))
    by_id, by_sku = {p.pk: p for p in found}, {p.sku: p for p in found}
    merged: dict[Product, int] = {}
    errors = []
    for index, line in enumerate(lines):
        product = (
            by_id.get(line.get("product")) if line.get("product") is not None else by_sku.get(line.get("sku"))
        )
        quantity = line.get("quantity")
        if product is None:
            errors.append(f"Line {index + 1}: no such product.")
        elif not isinstance(quantity, int) or not 0 < quantity <= MAX_STOCK_QUANTITY:
            errors.append(f"Line {index + 1}: a quantity from 1 to {MAX_STOCK_QUANTITY}.")
        else:
            merged[product] = merged.get(product, 0) + quantity
    if errors:
        raise ValidationError({field: errors})
    return merged


@transaction.atomic(durable=True)
def transfer_create(
    *,
    actor,
    from_location: Location,
    to_location: Location,
    lines: Sequence[Mapping[str, Any]],
    note: str = "",
) -> Transfer:
    """A draft transfer: nothing moves until it ships."""
    if from_location.pk == to_location.pk:
        raise ValidationError({"to_location": ["A transfer goes to another location."]})
    if not lines:
        raise ValidationError({"items": ["A transfer needs at least one item."]})
    products = _products(lines)
    transfer = Transfer.objects.create(
        from_location=from_location, to_location=to_location, note=note, created_by=person(actor)
    )
    transfer.number = f"TR-{transfer.created_at:%Y}-{transfer.pk:06d}"
    transfer.save(update_fields=["number"])
    TransferLine.objects.bulk_create(
        TransferLine(transfer=transfer, product=product, quantity=qty)
        for product, qty in sorted(products.items(), key=lambda pair: pair[0].pk)
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=transfer,
        changes={
            "from_location": [None, from_location.code],
            "to_location": [None, to_location.code],
            "items": [None, [{"sku": p.sku, "quantity": q} for p, q in products.items()]],
        },
    )
    return transfer


def _locked(transfer: Transfer, *allowed: str) -> tuple[Transfer, list[TransferLine]]:
    locked = (
        Transfer.objects.select_for_update()
        .select_related("from_location", "to_location")
        .get(pk=transfer.pk)
    )
    if locked.status not in allowed:
        raise ConflictError(f"A transfer that is {locked.status} cannot do this.", code="invalid_transition")
    return locked, list(locked.lines.select_related("product"))


def _status(transfer: Transfer, to_status: str, actor, **changes: Any) -> Transfer:
    record(
        actor=actor,
        action=AuditAction.STATUS_CHANGE,
        entity=transfer,
        changes={"status": [transfer.status, to_status], **changes},
    )
    transfer.status = to_status
    return transfer


@transaction.atomic(durable=True)
def transfer_ship(*, transfer: Transfer, actor) -> Transfer:
    """draft → in_transit: the units leave `from_location`; short there → 409
    `insufficient_stock`, nothing changed."""
    locked, lines = _locked(transfer, T.DRAFT)
    source = locked.from_location
    rows = lock_stock([line.product_id for line in lines], at=source)
    short = [
        {
            "product": line.product_id,
            "sku": line.product.sku,
            "requested": line.quantity,
            "available": rows[(line.product_id, source.pk)].quantity,
        }
        for line in lines
        if rows[(line.product_id, source.pk)].quantity < line.quantity
    ]
    if short:
        raise InsufficientStock(short)
    note = f"Transfer {locked.number} to {locked.to_location.code}"
    move_stock(
        [(rows[(line.product_id, source.pk)], -line.quantity, line.product) for line in lines],
        reason=MovementReason.TRANSFER_OUT,
        actor=actor,
        note=note,
    )
    locked.shipped_at = timezone.now()
    _status(locked, T.IN_TRANSIT, actor).save(update_fields=["status", "shipped_at"])
    return locked


@transaction.atomic(durable=True)
def transfer_receive(
    *, transfer: Transfer, actor, lines: Sequence[Mapping[str, Any]] | None = None
) -> Transfer:
    """in_transit → received: the units received (default: all shipped) arrive at
    `to_location`; shipped units not received are written off (`transfer_loss`)."""
    locked, transfer_lines = _locked(transfer, T.IN_TRANSIT)
    shipped = {line.product: line for line in transfer_lines}
    arrived = {line.product: line.quantity for line in transfer_lines}
    if lines is not None:
        named = _products(lines)
        unknown = [p.sku for p in named if p not in shipped]
        too_many = [p.sku for p, qty in named.items() if p in shipped and qty > shipped[p].quantity]
        if unknown or too_many:
            raise ValidationError(
                {
                    "items": [f"{sku}: not in this transfer." for sku in unknown]
                    + [f"{sku}: more than was shipped." for sku in too_many]
                }
            )
        arrived = {product: named.get(product, 0) for product in shipped}
    target = locked.to_location
    rows = lock_stock([line.product_id for line in transfer_lines], at=target)
    row = {line.product: rows[(line.product_id, target.pk)] for line in transfer_lines}
    note = f"Transfer {locked.number} from {locked.from_location.code}"
    lost = {product: line.quantity - arrived[product] for product, line in shipped.items()}
    move_stock(
        [(row[p], line.quantity, p) for p, line in shipped.items()],
        reason=MovementReason.TRANSFER_IN,
        actor=actor,
        note=note,
    )
    if any(lost.values()):
        move_stock(
            [(row[p], -qty, p) for p, qty in lost.items() if qty],
            reason=MovementReason.TRANSFER_LOSS,
            actor=actor,
            note=f"{note}: shipped, not received",
        )
    for product, line in shipped.items():
        line.received = arrived[product]
    TransferLine.objects.bulk_update(transfer_lines, ["received"])
    locked.received_at = timezone.now()
    written_off = {p.sku: qty for p, qty in lost.items() if qty}
    _status(locked, T.RECEIVED, actor, **({"written_off": [None, written_off]} if written_off else {})).save(
        update_fields=["status", "received_at"]
    )
    return locked


@transaction.atomic(durable=True)
def transfer_cancel(*, transfer: Transfer, actor) -> Transfer:
    """draft → cancelled; in_transit → cancelled puts the units back at `from_location`."""
    locked, lines = _locked(transfer, T.DRAFT, T.IN_TRANSIT)
    if locked.status == T.IN_TRANSIT:
        source = locked.from_location
        rows = lock_stock([line.product_id for line in lines], at=source)
        move_stock(
            [(rows[(line.product_id, source.pk)], line.quantity, line.product) for line in lines],
            reason=MovementReason.TRANSFER_IN,
            actor=actor,
            note=f"Transfer {locked.number} cancelled",
        )
    _status(locked, T.CANCELLED, actor).save(update_fields=["status"])
    return locked
