"""The admin index's figures."""

from datetime import date

from django.db.models import F, Q, Sum

from analytics.results import Dashboard
from catalog.models import Product, ProductStatus
from orders.models import DailyOrders, DailySales, Order, OrderStatus

from .common import money

DASHBOARD_ROWS = 8


def admin_dashboard(*, today: date) -> Dashboard:
    """The admin index's figures: revenue and net orders today and this month (the daily
    rollups), pending orders, the products at or below their low-stock threshold, and the
    latest orders. A fixed number of queries whatever the data."""
    month = DailySales.objects.filter(day__gte=today.replace(day=1), day__lte=today).order_by()
    money_rows = month.aggregate(
        month_revenue=Sum("revenue"), today_revenue=Sum("revenue", filter=Q(day=today))
    )
    order_rows = (
        DailyOrders.objects.filter(day__gte=today.replace(day=1), day__lte=today)
        .order_by()
        .aggregate(
            month_orders=Sum("orders_sold") - Sum("orders_reversed"),
            today_orders=Sum("orders_sold", filter=Q(day=today))
            - Sum("orders_reversed", filter=Q(day=today)),
        )
    )
    low_stock = list(
        Product.objects.filter(
            status=ProductStatus.ACTIVE, stock__quantity__lte=F("stock__low_stock_threshold")
        )
        .order_by("stock__quantity", "sku")
        .values("id", "sku", "name", "stock__quantity", "stock__low_stock_threshold")[:DASHBOARD_ROWS]
    )
    latest = list(
        Order.objects.order_by("-created_at", "-id").values("id", "number", "status", "total", "created_at")[
            :DASHBOARD_ROWS
        ]
    )
    return Dashboard(
        today_revenue=money(money_rows["today_revenue"]),
        today_orders=order_rows["today_orders"] or 0,
        month_revenue=money(money_rows["month_revenue"]),
        month_orders=order_rows["month_orders"] or 0,
        pending_orders=Order.objects.filter(status=OrderStatus.PENDING).count(),
        low_stock=[
            {
                "product": row["id"],
                "sku": row["sku"],
                "name": row["name"],
                "stock": row["stock__quantity"],
                "threshold": row["stock__low_stock_threshold"],
            }
            for row in low_stock
        ],
        latest_orders=[dict(row) for row in latest],
    )
