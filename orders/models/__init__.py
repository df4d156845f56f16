"""The orders app's models: orders and what hangs off them, and the sales ledger with its rollups."""

from .ledger import (
    CustomerSales,
    CustomerTotals,
    DailyCustomers,
    DailyOrders,
    DailySales,
    ProductSales,
    SalesRecord,
    SalesRollupZone,
    SalesTotals,
)
from .orders import (
    DiscountCode,
    DiscountKind,
    IdempotencyKey,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
    Refund,
    RefundLine,
    RefundReason,
    Review,
)

__all__ = [
    "CustomerSales",
    "CustomerTotals",
    "DailyCustomers",
    "DailyOrders",
    "DailySales",
    "DiscountCode",
    "DiscountKind",
    "IdempotencyKey",
    "Order",
    "OrderItem",
    "OrderStatus",
    "OrderStatusChange",
    "ProductSales",
    "Refund",
    "RefundLine",
    "RefundReason",
    "Review",
    "SalesRecord",
    "SalesRollupZone",
    "SalesTotals",
]
