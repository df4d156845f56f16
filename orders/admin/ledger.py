"""Read-only views of the sales ledger, its rollups and the idempotency keys: all written by services,
all internal tables (the CEO's menu only)."""

from django.contrib import admin

from orders.models import (
    CustomerSales,
    DailyCodeSales,
    DailyCustomers,
    DailyOrders,
    DailySales,
    IdempotencyKey,
    ProductSales,
    SalesRecord,
)
from salesbackend.admin import InternalTableAdminMixin, ReadOnlyAdminMixin


@admin.register(SalesRecord)
class SalesRecordAdmin(InternalTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The sales ledger, read-only: rows come from payments and their reversals."""

    list_display = ("sold_at", "order", "product", "category", "channel", "quantity", "revenue", "cost")
    list_select_related = ("order", "product", "category", "channel")
    list_filter = ("channel", "category", ("sold_at", admin.DateFieldListFilter))
    date_hierarchy = "sold_at"
    search_fields = ("order__number", "product__sku")


@admin.register(DailySales)
class DailySalesAdmin(InternalTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Rollup of the sales ledger kept by orders.services; `rebuild_sales_rollup` repairs it."""

    list_display = ("day", "channel", "category", "quantity", "revenue", "cost")
    list_select_related = ("channel", "category")
    list_filter = ("channel", ("day", admin.DateFieldListFilter))
    date_hierarchy = "day"


@admin.register(ProductSales)
class ProductSalesAdmin(InternalTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "whole_month", "product", "channel", "category", "quantity", "revenue", "cost")
    list_select_related = ("product", "channel", "category")
    list_filter = ("whole_month", "channel", ("day", admin.DateFieldListFilter))
    search_fields = ("product__sku", "product__name")


@admin.register(DailyOrders)
class DailyOrdersAdmin(InternalTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "channel", "orders_sold", "orders_reversed")
    list_select_related = ("channel",)
    list_filter = ("channel", ("day", admin.DateFieldListFilter))
    date_hierarchy = "day"


@admin.register(DailyCodeSales)
class DailyCodeSalesAdmin(InternalTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "day",
        "channel",
        "discount_code",
        "revenue",
        "discount",
        "orders_sold",
        "orders_reversed",
    )
    list_select_related = ("channel", "discount_code")
    list_filter = ("channel", ("day", admin.DateFieldListFilter))
    date_hierarchy = "day"


@admin.register(DailyCustomers)
class DailyCustomersAdmin(InternalTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "channel", "customer")
    list_select_related = ("channel", "customer")
    list_filter = ("channel", ("day", admin.DateFieldListFilter))
    search_fields = ("customer__email",)


@admin.register(CustomerSales)
class CustomerSalesAdmin(InternalTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("customer", "channel", "first_day", "last_day", "orders_sold", "revenue")
    list_select_related = ("channel", "customer")
    list_filter = ("channel",)
    search_fields = ("customer__email",)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(InternalTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "customer", "key", "order")
    list_select_related = ("customer", "order")
    search_fields = ("key", "customer__email", "order__number")
