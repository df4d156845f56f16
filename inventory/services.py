"""Every change of stock: one locked Stock row, one ledger movement, in one transaction.

`stock_take` and `stock_return` run inside the caller's transaction (order placement,
cancellation); `stock_adjust` is a staff adjustment with its own transaction and audit entry.

A product comes and goes with its stock: `stocked_product_create`, `stocked_products_bulk_create`,
`stocked_product_import` and `stocked_product_delete` are the catalog's product writes with the
stock opened, set or discarded in the same transaction. The catalog's API and admin call these;
the catalog itself knows nothing of stock (the import's stock column is read here).
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from audit.models import AuditAction
from audit.services import person, record
from catalog.models import Product, SalesChannel
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

from .allocation import Shortfall, Taken, allocate
from .models import (
    ADJUSTMENT_REASONS,
    MAIN_LOCATION,
    Location,
    LocationStock,
    MovementReason,
    Stock,
    StockMovement,
)
from .tasks import notify_low_stock


@transaction.atomic
def stock_create(*, product: Product, quantity: int = 0, low_stock_threshold: int = 10) -> Stock:
    """The stock row of a new product, starting empty; an opening quantity is a restock movement
    at the main location."""
    stock, _ = Stock.objects.get_or_create(
        product=product, defaults={"low_stock_threshold": low_stock_threshold}
    )
    if quantity:
        row = _lock([product.pk], at=main_location())[(product.pk, main_location().pk)]
        _move([(row, quantity)], reason=MovementReason.RESTOCK, actor=None, note="Opening stock")
        stock = row.stock
    return stock


def main_location() -> Location:
    """`main`, made by a migration; made again if someone deleted it (it holds no stock then)."""
    location, _ = Location.objects.get_or_create(
        code=MAIN_LOCATION, defaults={"name": "Main warehouse", "kind": "warehouse", "priority": 100}
    )
    return location


Rows = dict[tuple[int, int], LocationStock]


def _lock(
    product_ids: Iterable[int],
    *,
    at: Location | None = None,
    ensure: Iterable[tuple[int, int]] = (),
    channel: SalesChannel | None = None,
) -> Rows:
    """Lock every location row of these products with their totals, in one query and one global
    order, (product id, location id), so lockers never deadlock. Every location of a product is
    locked whatever the caller needs: two callers needing different locations of one product
    would otherwise meet on its total row in opposite orders.

    `at` / `ensure`: a location, or (product id, location id) pairs, the caller writes to; a
    missing row (or total) is made empty first, then all are locked again. Each row says whether
    its location sells for `channel` (`serves`: active, and listing the channel or none).
    """
    ids = sorted(set(product_ids))
    pairs = set(ensure) | ({(pid, at.pk) for pid in ids} if at is not None else set())
    rows = _select_for_update(ids, channel)
    missing = [pair for pair in pairs if pair not in rows]
    if missing:
        pids = {pid for pid, _ in missing}
        Stock.objects.bulk_create([Stock(product_id=pid) for pid in pids], ignore_conflicts=True)
        totals = dict(Stock.objects.filter(product_id__in=pids).values_list("product_id", "pk"))
        LocationStock.objects.bulk_create(
            [LocationStock(stock_id=totals[pid], location_id=lid) for pid, lid in missing],
            ignore_conflicts=True,
        )
        rows = _select_for_update(ids, channel)
    return rows


def lock_stock(product_ids: Iterable[int], *, at: Location) -> Rows:
    """`_lock` for this app's other stock writers (transfers): rows at `at` made if missing."""
    return _lock(product_ids, at=at)


def move_stock(
    changes: list[tuple[LocationStock, int, Product]], *, reason: str, actor, note: str = ""
) -> list[StockMovement]:
    """`_move` for this app's other stock writers: each (locked row, delta, its product)."""
    for row, _, product in changes:
        row.stock.product = product
    return _move([(row, delta) for row, delta, _ in changes], reason=reason, actor=actor, note=note)


def _select_for_update(ids: list[int], channel: SalesChannel | None = None) -> Rows:
    # Without the product: callers have it in hand, and only a low-stock notice reads it.
    # PostgreSQL locks the location row and its total row (of self, stock); the location is read.
    rows: QuerySet[LocationStock] = (
        LocationStock.objects.select_for_update(of=("self", "stock"))
        .select_related("stock", "location")
        .filter(stock__product_id__in=ids)
        .order_by("stock__product_id", "location_id")
    )
    if channel is not None:
        listed = Location.channels.through.objects.filter(location_id=OuterRef("location_id"))
        rows = rows.annotate(
            lists=Exists(listed.filter(saleschannel_id=channel.pk)), lists_any=Exists(listed)
        )
    totals: dict[int, Stock] = {}
    locked = {}
    for row in rows:
        # One total object per product, shared by its rows, so their changes add up.
        row.stock = totals.setdefault(row.stock.product_id, row.stock)
        listed_here = channel is None or row.lists or not row.lists_any  # type: ignore[attr-defined]
        row.serves = row.location.is_active and listed_here
        locked[(row.stock.product_id, row.location_id)] = row
    return locked


def _move(
    changes: list[tuple[LocationStock, int]],
    *,
    reason: str,
    actor,
    order_id: int | None = None,
    note: str = "",
) -> list[StockMovement]:
    """Apply each (locked location row, delta) and append their movements: one UPDATE and one
    INSERT however many rows. The product's total follows in the database (a trigger, migration
    0007); the in-memory total is kept in step for the caller. Caller holds the locks."""
    now = timezone.now()
    movements = []
    totals: dict[int, tuple[Stock, int]] = {}
    for row, delta in changes:
        before = row.quantity
        row.quantity = before + delta
        row.updated_at = now
        total = row.stock
        totals.setdefault(total.pk, (total, total.quantity))
        total.quantity += delta
        total.updated_at = now
        movements.append(
            StockMovement(
                product_id=total.product_id,
                location_id=row.location_id,
                delta=delta,
                quantity_before=before,
                quantity_after=row.quantity,
                reason=reason,
                order_id=order_id,
                actor=person(actor),
                note=note,
            )
        )
    for total, before in totals.values():
        if before > total.low_stock_threshold >= total.quantity:
            _announce_low_stock(total)
    products_changed()  # product lists show the stock
    if len(changes) == 1:  # the common case: a plain UPDATE costs less than bulk_update's CASE
        changes[0][0].save(update_fields=["quantity", "updated_at"])
    else:
        LocationStock.objects.bulk_update([row for row, _ in changes], ["quantity", "updated_at"])
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
    location: Location | None = None,
) -> Stock:
    """A staff adjustment at `location`: add `delta`, or set the `quantity` on hand there. Never
    below zero. Without a location: the product's only stocked location, else `main`."""
    if (delta is None) == (quantity is None):
        raise ApplicationError("Give either delta or quantity.", code="invalid_adjustment")
    if reason not in ADJUSTMENT_REASONS:
        raise ApplicationError(f"Unknown reason {reason!r}.", code="invalid_reason")
    if location is None:
        location = _default_location(product)
    row = _lock([product.pk], at=location)[(product.pk, location.pk)]
    row.stock.product = product
    change = quantity - row.quantity if quantity is not None else delta or 0
    if row.quantity + change < 0:
        raise InsufficientStock(
            [{"product": product.pk, "sku": product.sku, "requested": -change, "available": row.quantity}]
        )
    if row.stock.quantity + change > MAX_STOCK_QUANTITY:
        field = "quantity" if quantity is not None else "delta"
        raise ValidationError({field: [f"Stock cannot exceed {MAX_STOCK_QUANTITY} units."]})
    before = row.quantity
    if change:
        _move([(row, change)], reason=reason, actor=actor, note=note)
    changes: dict[str, list[Any]] = {"quantity": [before, row.quantity], "reason": [None, reason]}
    if location.code != MAIN_LOCATION:
        changes["location"] = [None, location.code]
    record(actor=actor, action=AuditAction.STOCK_ADJUST, entity=product, changes=changes)
    return row.stock


def _default_location(product: Product) -> Location:
    """Where an adjustment without a location goes: the product's only stocked location, else `main`."""
    stocked = list(
        Location.objects.filter(stocks__stock__product=product, stocks__quantity__gt=0).distinct()[:2]
    )
    return stocked[0] if len(stocked) == 1 else main_location()


@transaction.atomic
def stock_adjust_many(
    *,
    products: list[Product],
    actor,
    reason: str,
    delta: int | None = None,
    quantity: int | None = None,
    note: str = "",
    location: Location | None = None,
) -> list[Stock]:
    """The same adjustment for several products (at `location`): all of them or, on any refusal, none."""
    return [
        stock_adjust(
            product=product,
            actor=actor,
            reason=reason,
            delta=delta,
            quantity=quantity,
            note=note,
            location=location,
        )
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
    LocationStock.objects.filter(stock__product=product).delete()
    Stock.objects.filter(product=product).delete()


def stock_take(
    *, lines: Mapping[Product, int], actor, order_id: int | None = None, channel: SalesChannel | None = None
) -> list[Taken]:
    """Take stock for a sale from the channel's locations (`allocate`), all lines or none. Runs
    in the caller's transaction. Returns where the units came from."""
    return stock_exchange(taken=lines, returned=[], actor=actor, order_id=order_id, channel=channel)


def stock_exchange(
    *,
    taken: Mapping[Product, int],
    returned: Mapping[Product, int] | Iterable[tuple[Product, int, int]],
    actor,
    order_id: int | None = None,
    channel: SalesChannel | None = None,
) -> list[Taken]:
    """Take the `taken` units for a sale from the channel's locations and put the `returned`
    (product, location id, units) back (an order's lines changed while pending), all or nothing.
    Runs in the caller's transaction. Returns where the taken units came from.

    Every row is locked first, in one pass in (product id, location id) order like every other
    stock writer (no deadlocks), then the takes are allocated together, so one error names every
    shortfall.
    """
    returned = _at_main(returned)
    back = sorted(((product.pk, lid), qty) for product, lid, qty in returned if qty)
    products = {product.pk: product for product in taken} | {p.pk: p for p, _, _ in returned}
    rows = _lock(products, channel=channel, ensure=[key for key, _ in back])
    for row in rows.values():
        row.stock.product = products[row.stock.product_id]
    offered = {row.location_id: row.location.priority for row in rows.values() if row.serves}
    plan = allocate(
        {product.pk: qty for product, qty in taken.items()},
        {key: row.quantity for key, row in rows.items() if row.serves},
        offered,
    )
    if isinstance(plan, Shortfall):
        raise InsufficientStock(
            [
                {"product": pid, "sku": products[pid].sku, "requested": want, "available": have}
                for pid, want, have in plan.lines
            ]
        )
    if plan:
        plan = [t._replace(location_code=rows[(t.product_id, t.location_id)].location.code) for t in plan]
        changes = [(rows[(t.product_id, t.location_id)], -t.quantity) for t in plan]
        _move(changes, reason=MovementReason.SALE, actor=actor, order_id=order_id)
    if back:
        changes = [(rows[key], qty) for key, qty in back]
        _move(changes, reason=MovementReason.CANCELLATION, actor=actor, order_id=order_id)
    return plan


def _at_main(lines: Mapping[Product, int] | Iterable[tuple[Product, int, int]]) -> list:
    """(product, location id, units) lines; a plain product → units mapping is at `main`."""
    if isinstance(lines, Mapping):
        main = main_location().pk
        return [(product, main, qty) for product, qty in lines.items()]
    return list(lines)


def stock_return(
    *,
    lines: Mapping[Product, int] | Iterable[tuple[Product, int, int]],
    actor,
    order_id: int | None = None,
    reason: str = MovementReason.CANCELLATION,
) -> list[StockMovement]:
    """Put (product, location id, units) back (cancellation, refund, return): to where they came
    from, or a location the caller names. Runs in the caller's transaction."""
    lines = _at_main(lines)
    back = sorted(((product.pk, lid), qty) for product, lid, qty in lines if qty)
    if not back:
        return []
    products = {product.pk: product for product, _, _ in lines}
    rows = _lock(products, ensure=[key for key, _ in back])
    for row in rows.values():
        row.stock.product = products[row.stock.product_id]
    return _move([(rows[key], qty) for key, qty in back], reason=reason, actor=actor, order_id=order_id)


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
