"""The admin index's figures."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypedDict

from django.db.models import Exists, F, OuterRef, Q, Sum

from catalog.models import Product, ProductStatus
from inventory.models import Location, LocationStock
from orders.models import DailyOrders, DailySales, Order, OrderStatus

from .common import money

DASHBOARD_ROWS = 8


class KeyFigure(TypedDict):
    name: str  # "revenue_today", "orders_today", "revenue_month", "orders_month"
    value: Decimal | int
    previous: Decimal | int  # the same span before: yesterday, or the same days of last month


class AdminDashboard(TypedDict):
    today: date
    figures: list[KeyFigure]
    pending_orders: int
    low_stock: list[dict[str, Any]]
    # Location rows at or below their own threshold; none while one location holds everything.
    low_stock_at_locations: list[dict[str, Any]]
    latest_orders: list[dict[str, Any]]


def _spans(today: date) -> dict[str, Q]:
    """Today and yesterday; this month to date and the same days of the month before."""
    month_start = today.replace(day=1)
    previous_end = month_start - timedelta(days=1)
    previous_start = previous_end.replace(day=1)
    return {
        "today": Q(day=today),
        "yesterday": Q(day=today - timedelta(days=1)),
        "month": Q(day__gte=month_start, day__lte=today),
        "previous_month": Q(
            day__gte=previous_start, day__lte=previous_start.replace(day=min(today.day, previous_end.day))
        ),
    }


def admin_dashboard(*, today: date) -> AdminDashboard:
    """The admin index's figures: revenue and net orders today and this month, each with the
    same span before (the exact daily rollups, written in the same transaction as the sale),
    pending orders, the active products at or below their low-stock threshold (and, with more
    than one active location, the locations' rows at or below theirs), and the latest
    orders. Six queries whatever the data, each on an index: cheap enough to run on every load,
    so the dashboard is never stale."""
    spans = _spans(today)
    window = Q(day__gte=today.replace(day=1) - timedelta(days=31), day__lte=today)
    revenue = (
        DailySales.objects.filter(window)
        .order_by()
        .aggregate(**{name: Sum("revenue", filter=span) for name, span in spans.items()})
    )
    orders = (
        DailyOrders.objects.filter(window)
        .order_by()
        .aggregate(
            **{
                name: Sum(F("orders_sold") - F("orders_reversed"), filter=span)
                for name, span in spans.items()
            }
        )
    )
    low_stock = Product.objects.filter(
        status=ProductStatus.ACTIVE, stock__quantity__lte=F("stock__low_stock_threshold")
    ).order_by("stock__quantity", "sku")[:DASHBOARD_ROWS]
    low_at_locations = LocationStock.objects.filter(
        stock__product__status=ProductStatus.ACTIVE,
        location__is_active=True,
        quantity__lte=F("low_stock_threshold"),
    ).filter(Exists(Location.objects.filter(is_active=True).exclude(pk=OuterRef("location_id"))))
    low_at_locations = low_at_locations.order_by("quantity", "stock__product__sku", "location__code")
    latest = Order.objects.order_by("-created_at", "-id").values(
        "id", "number", "status", "total", "currency", "created_at", "customer__email"
    )[:DASHBOARD_ROWS]
    return AdminDashboard(
        today=today,
        figures=[
            KeyFigure(
                name="revenue_today", value=money(revenue["today"]), previous=money(revenue["yesterday"])
            ),
            KeyFigure(name="orders_today", value=orders["today"] or 0, previous=orders["yesterday"] or 0),
            KeyFigure(
                name="revenue_month", value=money(revenue["month"]), previous=money(revenue["previous_month"])
            ),
            KeyFigure(
                name="orders_month", value=orders["month"] or 0, previous=orders["previous_month"] or 0
            ),
        ],
        pending_orders=Order.objects.filter(status=OrderStatus.PENDING).count(),
        low_stock=[
            {
                "product": row["id"],
                "sku": row["sku"],
                "name": row["name"],
                "stock": row["stock__quantity"],
                "threshold": row["stock__low_stock_threshold"],
            }
            for row in low_stock.values("id", "sku", "name", "stock__quantity", "stock__low_stock_threshold")
        ],
        low_stock_at_locations=[
            {
                "product": row["stock__product_id"],
                "sku": row["stock__product__sku"],
                "name": row["stock__product__name"],
                "location": row["location__code"],
                "stock": row["quantity"],
                "threshold": row["low_stock_threshold"],
            }
            for row in low_at_locations.values(
                "stock__product_id",
                "stock__product__sku",
                "stock__product__name",
                "location__code",
                "quantity",
                "low_stock_threshold",
            )[:DASHBOARD_ROWS]
        ],
        latest_orders=[
            {
                "id": row["id"],
                "number": row["number"],
                "customer": row["customer__email"],
                "status": OrderStatus(row["status"]).label,
                "total": row["total"],
                "currency": row["currency"],
                "created_at": row["created_at"],
            }
            for row in latest
        ],
    )
