"""Which locations an order's units come from: one pure function, `allocate`.

Policy (docs/API.md, "Allocation"): only the locations that sell for the order's channel are
offered (the caller filters: active, listing the channel or listing none).
1. The single location that can fill every line, if any: highest priority first, then the one
   holding most units of the ordered products, then the lowest id (a stable choice, never random).
2. Else line by line, from the highest priority down (ties: most units of that product, then
   lowest id), splitting a line across locations when no one location has enough.
Not enough over all offered locations for some line → a `Shortfall` naming every such line.
"""

from collections.abc import Mapping
from typing import NamedTuple


class Taken(NamedTuple):
    """Units of one product taken from one location for a sale."""

    product_id: int
    location_id: int
    quantity: int
    location_code: str = ""  # filled in by the stock services, for showing an allocation


class Shortfall(NamedTuple):
    lines: list[tuple[int, int, int]]  # (product id, requested, available over the offered locations)


def allocate(
    lines: Mapping[int, int],
    available: Mapping[tuple[int, int], int],
    priorities: Mapping[int, int],
) -> list[Taken] | Shortfall:
    """`lines`: product id → units wanted; `available`: (product id, location id) → units there;
    `priorities`: the offered locations, location id → priority. Returns what to take, ordered by
    (product id, location id) like the locks, or the shortfall."""

    def have(pid: int, lid: int) -> int:
        return max(available.get((pid, lid), 0), 0)

    wanted = {pid: qty for pid, qty in lines.items() if qty > 0}
    short = [
        (pid, qty, total)
        for pid, qty in sorted(wanted.items())
        if (total := sum(have(pid, lid) for lid in priorities)) < qty
    ]
    if short:
        return Shortfall(short)
    whole = [lid for lid in priorities if all(have(pid, lid) >= qty for pid, qty in wanted.items())]
    if whole:
        best = min(whole, key=lambda lid: (-priorities[lid], -sum(have(pid, lid) for pid in wanted), lid))
        return [Taken(pid, best, qty) for pid, qty in sorted(wanted.items())]
    taken: list[Taken] = []
    for pid, qty in sorted(wanted.items()):
        for lid in sorted(priorities, key=lambda lid: (-priorities[lid], -have(pid, lid), lid)):
            part = min(qty, have(pid, lid))
            if part:
                taken.append(Taken(pid, lid, part))
                qty -= part
            if not qty:
                break
    return sorted(taken)
