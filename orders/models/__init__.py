"""The orders app's models: orders and what hangs off them (refunds, returns), and the sales
ledger with its rollups."""

from .ledger import (
    CustomerSales,
    CustomerTotals,
    DailyCustomers,
    DailyOrders,
    DailySales,
    ProductSales,
    SalesRecord,
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
from .returns import (
    OPEN_RETURN_STATUSES,
    Return,
    ReturnCondition,
    ReturnDisposition,
    ReturnLine,
    ReturnStatus,
    ReturnStatusChange,
)

__all__ = [
    "OPEN_RETURN_STATUSES",
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
    "Return",
    "ReturnCondition",
    "ReturnDisposition",
    "ReturnLine",
    "ReturnStatus",
    "ReturnStatusChange",
    "Review",
    "SalesRecord",
    "SalesTotals",
]
