"""Every change of stock: one locked Stock row, one ledger movement, in one transaction.

`stock_take` and `stock_return` run inside the caller's transaction (order placement,
cancellation); `stock_adjust` is a staff adjustment with its own transaction and audit entry.

A product comes and goes with its stock: `stocked_product_create`, `stocked_products_bulk_create`,
`stocked_product_import` and `stocked_product_delete` are the catalog's product writes with the
stock opened, set or discarded in the same transaction. The catalog's API and admin call these;
the catalog itself knows nothing of stock (the import's stock column is read here).
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditAction
from audit.services import person, record
from catalog.models import Product
from catalog.selectors import products_changed
from catalog.services import (
    ImportResult,
    RowErrors,
    product_create,
    product_delete,
    product_import,
    products_bulk_check,
    validation_error_rows,
)
from catalog.tabular import read_table
from salesbackend import events
from salesbackend.background import enqueue_on_commit
from salesbackend.exceptions import ApplicationError, InsufficientStock
from salesbackend.limits import MAX_STOCK_QUANTITY

from .models import ADJUSTMENT_REASONS, MovementReason, Stock, StockMovement
from .tasks import notify_low_stock


@transaction.atomic
def stock_create(*, product: Product, quantity: int = 0, low_stock_threshold: int = 10) -> Stock:
    """The stock row of a new product, starting empty; an opening quantity is a restock movement."""
    stock, _ = Stock.objects.get_or_create(
        product=product, defaults={"low_stock_threshold": low_stock_threshold}
    )
    if quantity:
        stock = _lock([product.pk])[product.pk]
        _move([(stock, quantity)], reason=MovementReason.RESTOCK, actor=None, note="Opening stock")
    return stock


def _lock(product_ids: list[int]) -> dict[int, Stock]:
    """Lock the stock rows of these products, in ascending product id so lockers never deadlock.

    One query when every product has its stock row, as the catalog services make sure. A
    product without one (written around them) gets an empty row first, then all are locked again.
    """
    ids = sorted(set(product_ids))
    locked = _select_for_update(ids)
    missing = [pid for pid in ids if pid not in locked]
    if missing:
        Stock.objects.bulk_create([Stock(product_id=pid) for pid in missing], ignore_conflicts=True)
        locked = _select_for_update(ids)
    return locked


def _select_for_update(ids: list[int]) -> dict[int, Stock]:
    # Without the product: callers have it in hand, and only a low-stock notice reads it.
    rows: QuerySet[Stock] = Stock.objects.select_for_update().filter(product_id__in=ids)
    rows = rows.order_by("product_id")
    return {stock.product_id: stock for stock in rows}


def _move(
    changes: list[tuple[Stock, int]], *, reason: str, actor, order_id: int | None = None, note: str = ""
) -> list[StockMovement]:
    """Apply each (locked stock row, delta) and append their movements: one UPDATE and one
    INSERT however many rows. Caller holds the locks."""
    now = timezone.now()
    movements = []
    for stock, delta in changes:
        before = stock.quantity
        stock.quantity = before + delta
        stock.updated_at = now
        movements.append(
            StockMovement(
                product_id=stock.product_id,
                delta=delta,
                quantity_before=before,
                quantity_after=stock.quantity,
                reason=reason,
                order_id=order_id,
                actor=person(actor),
                note=note,
            )
        )
        if before > stock.low_stock_threshold >= stock.quantity:
            _announce_low_stock(stock)
    products_changed()  # product lists show the stock
    if len(changes) == 1:  # the common case: a plain UPDATE costs less than bulk_update's CASE
        changes[0][0].save(update_fields=["quantity", "updated_at"])
    else:
        Stock.objects.bulk_update([stock for stock, _ in changes], ["quantity", "updated_at"])
    return StockMovement.objects.bulk_create(movements)


def _announce_low_stock(stock: Stock) -> None:
    product = stock.product
    events.publish_on_commit(
        "low_stock",
        {
            "product": product.pk,
            "sku": product.sku,
            "name": product.name,
            "quantity": stock.quantity,
            "low_stock_threshold": stock.low_stock_threshold,
        },
    )
    enqueue_on_commit(notify_low_stock, product.pk)


@transaction.atomic
def stock_adjust(
    *,
    product: Product,
    actor,
    reason: str,
    delta: int | None = None,
    quantity: int | None = None,
    note: str = "",
) -> Stock:
    """A staff adjustment: add `delta`, or set the on-hand `quantity`. Never below zero."""
    if (delta is None) == (quantity is None):
        raise ApplicationError("Give either delta or quantity.", code="invalid_adjustment")
    if reason not in ADJUSTMENT_REASONS:
        raise ApplicationError(f"Unknown reason {reason!r}.", code="invalid_reason")
    stock = _lock([product.pk])[product.pk]
    change = quantity - stock.quantity if quantity is not None else delta or 0
    if stock.quantity + change < 0:
        raise InsufficientStock(
            [{"product": product.pk, "sku": product.sku, "requested": -change, "available": stock.quantity}]
        )
    if stock.quantity + change > MAX_STOCK_QUANTITY:
        field = "quantity" if quantity is not None else "delta"
        raise ValidationError({field: [f"Stock cannot exceed {MAX_STOCK_QUANTITY} units."]})
    before = stock.quantity
    if change:
        _move([(stock, change)], reason=reason, actor=actor, note=note)
    record(
        actor=actor,
        action=AuditAction.STOCK_ADJUST,
        entity=product,
        changes={"quantity": [before, stock.quantity], "reason": [None, reason]},
    )
    return stock


@transaction.atomic
def stock_adjust_many(
    *,
    products: list[Product],
    actor,
    reason: str,
    delta: int | None = None,
    quantity: int | None = None,
    note: str = "",
) -> list[Stock]:
    """The same adjustment for several products: all of them or, on any refusal, none."""
    return [
        stock_adjust(product=product, actor=actor, reason=reason, delta=delta, quantity=quantity, note=note)
        for product in products
    ]


@transaction.atomic
def stock_threshold_set(*, stock: Stock, actor, low_stock_threshold: int) -> Stock:
    """Change the quantity at or below which a product counts as low on stock."""
    if low_stock_threshold < 0:
        raise ValidationError({"low_stock_threshold": ["Ensure this value is greater than or equal to 0."]})
    before = stock.low_stock_threshold
    if low_stock_threshold != before:
        stock.low_stock_threshold = low_stock_threshold
        stock.save(update_fields=["low_stock_threshold", "updated_at"])
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity=stock,
            changes={"low_stock_threshold": [before, low_stock_threshold]},
        )
    return stock


@transaction.atomic
def stock_discard(*, product: Product) -> None:
    """Remove the stock row and ledger of a product that is being deleted (never ordered:
    the catalog refuses to delete ordered products). The product's delete is the audited act."""
    StockMovement.objects.filter(product=product).delete()
    Stock.objects.filter(product=product).delete()


def stock_take(*, lines: Mapping[Product, int], actor, order_id: int | None = None) -> list[StockMovement]:
    """Take stock for a sale, all lines or none. Runs in the caller's transaction."""
    return stock_exchange(taken=lines, returned={}, actor=actor, order_id=order_id)


def stock_exchange(
    *, taken: Mapping[Product, int], returned: Mapping[Product, int], actor, order_id: int | None = None
) -> list[StockMovement]:
    """Take the `taken` units for a sale and put the `returned` ones back (an order's lines
    changed while pending), all or nothing. Runs in the caller's transaction.

    Every row is locked first, in one pass in product id order like every other stock writer
    (no deadlocks), then the takes are checked together, so one error names every shortfall.
    """
    stocks = _lock([product.pk for product in (*taken, *returned)])
    for product in (*taken, *returned):
        stocks[product.pk].product = product
    by_id = sorted(taken.items(), key=lambda line: line[0].pk)
    shortfalls = [
        {
            "product": product.pk,
            "sku": product.sku,
            "requested": qty,
            "available": stocks[product.pk].quantity,
        }
        for product, qty in by_id
        if stocks[product.pk].quantity < qty
    ]
    if shortfalls:
        raise InsufficientStock(shortfalls)
    movements = []
    if taken:
        changes = [(stocks[product.pk], -qty) for product, qty in by_id]
        movements += _move(changes, reason=MovementReason.SALE, actor=actor, order_id=order_id)
    if returned:
        changes = [
            (stocks[product.pk], qty)
            for product, qty in sorted(returned.items(), key=lambda line: line[0].pk)
        ]
        movements += _move(changes, reason=MovementReason.CANCELLATION, actor=actor, order_id=order_id)
    return movements


def stock_return(
    *,
    lines: Mapping[Product, int],
    actor,
    order_id: int | None = None,
    reason: str = MovementReason.CANCELLATION,
) -> list[StockMovement]:
    """Put stock back (cancellation, refund). Runs in the caller's transaction."""
    stocks = _lock([product.pk for product in lines])
    return _move(
        [(stocks[product.pk], qty) for product, qty in sorted(lines.items(), key=lambda line: line[0].pk)],
        reason=reason,
        actor=actor,
        order_id=order_id,
    )


# ---------------------------------------------------------------------- products with their stock


@transaction.atomic
def stocked_product_create(*, actor, stock: int = 0, **fields: Any) -> Product:
    """A new product (`catalog.services.product_create`) with its stock row; a positive
    `stock` is booked as a restock movement."""
    if stock < 0:
        raise ValidationError({"stock": ["Ensure this value is greater than or equal to 0."]})
    product = product_create(actor=actor, **fields)
    stock_create(product=product)
    if stock:
        stock_adjust(
            product=product, actor=actor, reason=MovementReason.RESTOCK, delta=stock, note="Opening stock"
        )
    return product


@transaction.atomic
def stocked_products_bulk_create(*, actor, items: list[Mapping[str, Any]]) -> list[Product]:
    """Products of a list, all or none, each with its opening stock: errors name the item by
    its list index."""
    products_bulk_check(items=items)
    created: list[Product] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        try:
            created.append(stocked_product_create(actor=actor, **item))
        except ValidationError as error:  # the item's savepoint is rolled back
            errors.extend(validation_error_rows(error, key="index", position=index))
    if errors:
        raise RowErrors(errors)
    return created


def _parse_stock(text: str) -> int:
    """A stock cell of an import file: a whole number of units within the limits."""
    try:
        value = Decimal(text)
    except ArithmeticError as exc:
        raise ValidationError({"stock": ["A whole number is required."]}) from exc
    # is_finite first: comparing a signalling NaN raises
    if not value.is_finite() or value != value.to_integral_value():
        raise ValidationError({"stock": ["A whole number is required."]})
    if value < 0:
        raise ValidationError({"stock": ["Ensure this value is greater than or equal to 0."]})
    if value > MAX_STOCK_QUANTITY:
        raise ValidationError(
            {"stock": [f"Ensure this value is less than or equal to {MAX_STOCK_QUANTITY}."]}
        )
    return int(value)


@transaction.atomic
def stocked_product_import(
    *, actor, file: IO[bytes], filename: str = "", dry_run: bool = False
) -> ImportResult:
    """The catalog's product import with a `stock` column: a new product gets its stock row,
    and a stock cell sets the quantity on hand (a restock up, a correction down; an empty cell
    keeps it). A bad stock cell is reported with the other errors of its row."""
    table = read_table(file, filename)
    levels: dict[int, int] = {}
    stock_errors: dict[int, dict[str, list[str]]] = {}
    for number, cells in table.rows:
        if cells.get("stock"):
            try:
                levels[number] = _parse_stock(cells["stock"])
            except ValidationError as error:
                stock_errors[number] = error.message_dict
    result = product_import(
        actor=actor,
        table=table,
        filename=filename,
        dry_run=dry_run,
        extra_columns=("stock",),
        extra_errors=stock_errors,
    )
    note = f"Import {filename}".strip()
    for number, product in result.saved:
        quantity = levels.get(number)
        current = stock_create(product=product).quantity
        if quantity is not None and quantity != current:
            reason = MovementReason.RESTOCK if quantity > current else MovementReason.CORRECTION
            stock_adjust(product=product, actor=actor, reason=reason, quantity=quantity, note=note)
    return result


@transaction.atomic
def stocked_product_delete(*, product: Product, actor) -> None:
    """Delete a never-ordered product with its stock row and ledger; an ordered one is 409."""
    stock_discard(product=product)
    product_delete(product=product, actor=actor)
