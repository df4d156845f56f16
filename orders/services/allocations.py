"""Order items' allocations: showing where placement took units, and where units go back."""

from collections.abc import Iterable, Sequence

from inventory.allocation import Taken
from inventory.models import Location
from inventory.services import main_location
from orders.models import Allocation, OrderItem


def allocations_shown(items: Sequence[OrderItem], taken: Iterable[Taken]) -> None:
    """Where placement took each item's units, as if prefetched: the placed order renders its
    allocations (to staff) without reading them back. Nothing is written: allocations are read
    from the ledger's sale movements (`Allocation` is a view)."""
    by_product = {item.product_id: item for item in items}
    shown: dict[int, list[Allocation]] = {}
    for t in taken:
        item = by_product[t.product_id]
        location = Location(pk=t.location_id, code=t.location_code)
        shown.setdefault(item.pk, []).append(Allocation(item=item, location=location, quantity=t.quantity))
    for item in items:
        cache = item.__dict__.setdefault("_prefetched_objects_cache", {})
        rows = item.allocations.all()
        rows._result_cache = shown.get(item.pk, [])
        rows._prefetch_done = True  # type: ignore[attr-defined]
        cache["allocations"] = rows


def restock_origins(
    units: Iterable[tuple[OrderItem, int]], *, location: Location | None = None
) -> list[tuple]:
    """(product, location id, units) putting `units` of each item back where they came from: its
    allocations in turn, up to what each took (an item placed before locations: `main`), or all at
    the named `location`. One query for the allocations of every item."""
    units = [(item, qty) for item, qty in units if qty]
    if location is not None:
        return [(item.product, location.pk, qty) for item, qty in units]
    taken: dict[int, list[Allocation]] = {}
    for allocation in Allocation.objects.filter(item__in=[item for item, _ in units]).order_by("id"):
        taken.setdefault(allocation.item_id, []).append(allocation)
    lines: dict[tuple, int] = {}
    main_id = None
    for item, qty in units:
        for allocation in taken.get(item.pk, []):
            part = min(qty, allocation.quantity)
            if part:
                key = (item.product, allocation.location_id)
                lines[key] = lines.get(key, 0) + part
                qty -= part
        if qty:
            main_id = main_id or main_location().pk
            lines[(item.product, main_id)] = lines.get((item.product, main_id), 0) + qty
    return [(product, lid, qty) for (product, lid), qty in lines.items()]


def returned_from(item: OrderItem, qty: int) -> list[tuple]:
    """Units of a pending order's item given back in an edit: from its latest allocations first."""
    lines = []
    for allocation in sorted(item.allocations.all(), key=lambda a: -a.pk):
        part = min(qty, allocation.quantity)
        if part:
            lines.append((item.product, allocation.location_id, part))
            qty -= part
    if qty:
        lines.append((item.product, main_location().pk, qty))
    return lines
