"""Stock against recent sales: what to reorder."""

import math
from decimal import Decimal

from django.db.models import F
from django.db.models.functions import Coalesce

from analytics.results import InventoryProduct
from catalog.models import ProductStatus

from .common import MONEY, RATIO, SalesFilters, _rounded
from .products import _product_totals

INVENTORY_STATES = ("reorder", "ok", "overstock", "dead")
OVERSTOCK_FACTOR = 4  # cover beyond this many times (lead + safety) days is overstock


def inventory_insight(
    *, filters: SalesFilters, window_days: int, lead_days: int, safety_days: int, state: str | None = None
) -> list[InventoryProduct]:
    """Every active product's stock against its sales over the window (`filters` hold the
    window's days): units per day, days of cover, the reorder point (the units sold during
    lead and safety days) and what to order to cover twice that. States: `reorder` (stock at
    or below the reorder point), `overstock` (cover beyond 4 x (lead + safety) days), `dead`
    (stock but no sale in the window), else `ok`. Ordered by days of cover, shortest first."""
    rows = (
        _product_totals(filters, with_unsold=True)
        .filter(status=ProductStatus.ACTIVE)
        .annotate(on_hand=Coalesce(F("stock__quantity"), 0))
        .values("id", "sku", "name", "on_hand", "net_units")
    )
    horizon = lead_days + safety_days
    result = []
    for row in rows:
        stock, sold = row["on_hand"], max(row["net_units"], 0)
        per_day = Decimal(sold) / window_days
        reorder_point = math.ceil(per_day * horizon)
        cover = _rounded(Decimal(stock) / per_day, MONEY) if per_day else None
        if sold == 0 and stock > 0:
            product_state = "dead"
        elif stock <= reorder_point:
            product_state = "reorder"
        elif cover is not None and cover > OVERSTOCK_FACTOR * horizon:
            product_state = "overstock"
        else:
            product_state = "ok"
        if state is not None and product_state != state:
            continue
        result.append(
            InventoryProduct(
                product=row["id"],
                sku=row["sku"],
                name=row["name"],
                stock=stock,
                units_per_day=_rounded(per_day, RATIO),
                days_of_cover=cover,
                reorder_point=reorder_point,
                suggested_order=max(0, math.ceil(per_day * 2 * horizon) - stock)
                if product_state == "reorder"
                else 0,
                state=product_state,
            )
        )
    # No sales: cover is unbounded, so those come last (dead stock among them).
    result.sort(key=lambda p: (p["days_of_cover"] is None, p["days_of_cover"] or 0, p["sku"]))
    return result
