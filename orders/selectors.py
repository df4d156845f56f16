"""Reads on orders and reviews, scoped to what the asking user may see; the sales ledger's
version and its rollups as the ledger computes them."""

from datetime import UTC
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, DateField, Model, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncDate, TruncMonth

from catalog.models import Product, Review
from catalog.selectors import products_visible_to
from salesbackend.versions import version_get

from .models import Order, OrderItem, OrderStatus, SalesRecord

SALES_LEDGER_VERSION_KEY = "orders:sales-ledger-version"
# Each rollup model's columns, in the order `sales_rollup_rows` selects them; the keys come
# first. Writers lock rollup rows in this order of models, then of keys (no deadlocks).
SALES_ROLLUP_COLUMNS: dict[str, tuple[str, ...]] = {
    "DailySales": ("day", "channel_id", "category_id", "quantity", "revenue", "cost"),
    "ProductSales": (
        "whole_month",
        "day",
        "product_id",
        "category_id",
        "channel_id",
        "quantity",
        "revenue",
        "cost",
    ),
    "DailyOrders": ("day", "channel_id", "orders_sold", "orders_reversed"),
    "DailyCustomers": ("day", "channel_id", "customer_id"),
}


def manages_orders(user) -> bool:
    """Staff who see every order and move orders along the status machine."""
    return bool(user is not None and user.is_authenticated and user.has_perm("orders.manage_orders"))


def orders_visible_to(user) -> QuerySet[Order]:
    """All orders for staff, a customer's own otherwise; with what the representation reads,
    so a page of orders costs the same few queries however many rows it has."""
    orders = Order.objects.select_related("channel").prefetch_related("items", "status_history")
    if user is None or not user.is_authenticated:
        return orders.none()
    if manages_orders(user):
        return orders
    return orders.filter(customer=user)


def order_with_rows(order: Order, *, items, status_history) -> Order:
    """`order` with lines and status history already in hand (just written), as if prefetched:
    rendering it reads nothing back."""
    cache = order.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in (("items", items), ("status_history", status_history)):
        queryset = getattr(order, name).all()
        queryset._result_cache = list(rows)
        queryset._prefetch_done = True
        cache[name] = queryset
    return order


def customer_received_product(*, customer, product: Product) -> bool:
    return OrderItem.objects.filter(
        order__customer=customer, order__status=OrderStatus.DELIVERED, product=product
    ).exists()


def products_reviewable_by(user) -> QuerySet[Product]:
    """Products whose reviews `user` may read: those the user may see."""
    return products_visible_to(user)


def reviews_of_product(*, product: Product) -> QuerySet[Review]:
    return Review.objects.filter(product=product).order_by("-created_at", "-id")


def sales_ledger_version() -> int:
    """A number that changes whenever sales records are committed: for cache keys.

    `orders.services` increments it after every commit that wrote to the sales ledger. It
    lives in the cache, so reading it costs no query. When it is missing (first use, cache
    flushed or the key evicted) it starts again from the clock in nanoseconds, far past any
    number handed out before, so an answer cached under an old version is never served
    as current.
    """
    return version_get(SALES_LEDGER_VERSION_KEY)


def sales_rollup_rows(ledger: type[Model] = SalesRecord) -> dict[str, QuerySet]:
    """Each rollup's rows as the sales ledger adds them up, one GROUP BY each, by model name.

    The columns are those of SALES_ROLLUP_COLUMNS, in that order: `sales_rollup_fill`
    inserts these rows as they are. `ledger` is the SalesRecord model (a migration passes
    its historical one). Days and months are UTC, like the analytics date filters.
    """
    records = ledger.objects.order_by()
    day = TruncDate("sold_at", tzinfo=UTC)
    month = TruncMonth("sold_at", tzinfo=UTC, output_field=DateField())
    net = {"net_quantity": Sum("quantity"), "net_revenue": Sum("revenue"), "net_cost": Sum("cost")}
    per_product = ("whole_month", "day", "product_id", "category_id", "channel_id")
    return {
        "DailySales": records.annotate(day=day).values("day", "channel_id", "category_id").annotate(**net),
        "ProductSales": records.annotate(whole_month=Value(True), day=month)
        .values(*per_product)
        .annotate(**net)
        .union(
            records.annotate(whole_month=Value(False), day=day).values(*per_product).annotate(**net), all=True
        ),
        "DailyOrders": records.annotate(day=day)
        .values("day", "channel_id")
        .annotate(
            sold=Count("order_id", distinct=True, filter=Q(quantity__gt=0)),
            reversed=Count("order_id", distinct=True, filter=Q(quantity__lt=0)),
        ),
        "DailyCustomers": records.filter(quantity__gt=0)
        .annotate(day=day)
        .values("day", "channel_id", "customer_id")
        .distinct(),
    }


def _in_cents(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """SQLite sums decimals as floats: compare money in cents."""
    return tuple(
        Decimal(str(value)).quantize(Decimal("0.01")) if isinstance(value, float | Decimal) else value
        for value in row
    )


def sales_rollup_differences() -> dict[str, int]:
    """How many rows of each rollup differ from the ledger (wrong, missing or extra); {} when exact.

    Compares whole tables in Python: for tests and the nightly check, not for requests.
    Where sales may be recorded meanwhile, call it inside `sales_rollup_verify`, which
    holds the rollups still.
    """
    differences = {}
    for name, from_ledger in sales_rollup_rows().items():
        rollup = apps.get_model("orders", name)
        expected = {_in_cents(tuple(row.values())) for row in from_ledger}
        stored = {_in_cents(row) for row in rollup.objects.values_list(*SALES_ROLLUP_COLUMNS[name])}
        if expected != stored:
            differences[name] = len(expected ^ stored)
    return differences
