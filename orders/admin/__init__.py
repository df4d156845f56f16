"""Orders in the admin. Nothing here changes an order directly: placing one and every
lifecycle action call `orders.services`, like the API, so stock, ledgers and audit follow.

Django autodiscovers this package; importing the modules below registers every ModelAdmin.
Every name is re-exported here so `from orders.admin import OrderAdmin` keeps working."""

from .actions import CSV_COLUMNS, _apply_to_each, _status_action, cancel_orders, export_csv
from .discount_codes import CodeStateFilter, DiscountCodeAdmin, DiscountCodeForm
from .forms import LINES_HELP, OrderEditForm, OrderPlaceForm, _sku_lines
from .ledger import (
    CustomerSalesAdmin,
    DailyCodeSalesAdmin,
    DailyCustomersAdmin,
    DailyOrdersAdmin,
    DailySalesAdmin,
    IdempotencyKeyAdmin,
    ProductSalesAdmin,
    SalesRecordAdmin,
)
from .orders import OrderAdmin, OrderItemInline, OrderStatusChangeInline
from .refunds import RefundAdmin, RefundForm, RefundInline
from .returns import ReceiveForm, RejectForm, ReturnAdmin, ReturnInline
from .reviews import ReviewAdmin

__all__ = [
    "CSV_COLUMNS",
    "LINES_HELP",
    "CodeStateFilter",
    "CustomerSalesAdmin",
    "DailyCodeSalesAdmin",
    "DailyCustomersAdmin",
    "DailyOrdersAdmin",
    "DailySalesAdmin",
    "DiscountCodeAdmin",
    "DiscountCodeForm",
    "IdempotencyKeyAdmin",
    "OrderAdmin",
    "OrderEditForm",
    "OrderItemInline",
    "OrderPlaceForm",
    "OrderStatusChangeInline",
    "ProductSalesAdmin",
    "ReceiveForm",
    "RefundAdmin",
    "RefundForm",
    "RefundInline",
    "RejectForm",
    "ReturnAdmin",
    "ReturnInline",
    "ReviewAdmin",
    "SalesRecordAdmin",
    "_apply_to_each",
    "_sku_lines",
    "_status_action",
    "cancel_orders",
    "export_csv",
]
