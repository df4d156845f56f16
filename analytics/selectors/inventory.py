"""Stock against recent sales: what to reorder."""

import math
from datetime import timedelta
from decimal import Decimal

from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from analytics.results import InventoryProduct, LocationStockValue
from catalog.models import Product, ProductStatus
from inventory.models import Location, LocationStock, MovementReason, StockMovement
from salesbackend.zone import sales_day_start

from .common import MONEY, RATIO, SalesFilters, _rounded, money
from .products import _product_totals

INVENTORY_STATES = ("reorder", "ok", "overstock", "dead")
OVERSTOCK_FACTOR = 4  # cover beyond this many times (lead + safety) days is overstock


# What orders take from a location and give back to it: its side of the sales.
LOCATION_SALE_REASONS = (MovementReason.SALE, MovementReason.CANCELLATION, MovementReason.RETURN)


def _at_location(filters: SalesFilters, location: Location) -> QuerySet:
    """The active products (in the category and product filters) with `on_hand` and `net_units`
    of one location: what it holds, and the units orders took from it in the window (its stock
    ledger's sales less cancellations and returns put back there; the sales ledger has no
    location, the stock ledger knows where units went, whatever the channel)."""
    rows = Product.objects.filter(status=ProductStatus.ACTIVE).order_by()
    if filters.category_ids is not None:
        rows = rows.filter(category_id__in=filters.category_ids)
    if filters.product_id is not None:
        rows = rows.filter(pk=filters.product_id)
    moved = StockMovement.objects.filter(
        product=OuterRef("id"), location=location, reason__in=LOCATION_SALE_REASONS
    )
    if filters.start is not None:
        moved = moved.filter(created_at__gte=sales_day_start(filters.start))
    if filters.end is not None:
        moved = moved.filter(created_at__lt=sales_day_start(filters.end + timedelta(days=1)))
    taken = moved.values("product").annotate(units=-Sum("delta")).values("units")
    held = LocationStock.objects.filter(stock__product=OuterRef("id"), location=location).values("quantity")
    zero = Value(0, output_field=IntegerField())
    return rows.annotate(on_hand=Coalesce(Subquery(held), zero), net_units=Coalesce(Subquery(taken), zero))


def inventory_insight(
    *,
    filters: SalesFilters,
    window_days: int,
    lead_days: int,
    safety_days: int,
    state: str | None = None,
    location: str | None = None,
) -> list[InventoryProduct]:
    """Every active product's stock against its sales over the window (`filters` hold the
    window's days): units per day, days of cover, the reorder point (the units sold during
    lead and safety days) and what to order to cover twice that. States: `reorder` (stock at
    or below the reorder point), `overstock` (cover beyond 4 x (lead + safety) days), `dead`
    (stock but no sale in the window), else `ok`. Ordered by days of cover, shortest first.
    With a `location` (code): its stock against what orders took from it (`_at_location`)."""
    if location is None:
        rows = (
            _product_totals(filters, with_unsold=True)
            .filter(status=ProductStatus.ACTIVE)
            .annotate(on_hand=Coalesce(F("stock__quantity"), 0))
        )
    else:
        rows = _at_location(filters, Location.objects.get(code=location))
    rows = rows.values("id", "sku", "name", "on_hand", "net_units")
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


def stock_value_by_location(*, filters: SalesFilters) -> list[LocationStockValue]:
    """Units on hand and their value at cost per location (in the category and product
    filters), the most valuable first; one query."""
    rows = LocationStock.objects.all()
    if filters.category_ids is not None:
        rows = rows.filter(stock__product__category_id__in=filters.category_ids)
    if filters.product_id is not None:
        rows = rows.filter(stock__product_id=filters.product_id)
    at_cost = ExpressionWrapper(
        F("quantity") * F("stock__product__cost_price"),
        output_field=DecimalField(max_digits=20, decimal_places=2),
    )
    totals = (
        rows.values("location__code", "location__name")
        .annotate(units=Sum("quantity"), value=Sum(at_cost))
        .order_by("-value", "location__code")
    )
    return [
        LocationStockValue(
            location=row["location__code"],
            name=row["location__name"],
            units=row["units"],
            value=money(row["value"]),
        )
        for row in totals
    ]
