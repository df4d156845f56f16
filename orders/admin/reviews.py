"""Product reviews, read-only."""

from django.contrib import admin

from orders.models import Review
from salesbackend.admin import ReadOnlyAdminMixin


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reviews are written by customers through the API; the admin reads them."""

    list_display = ("product", "customer", "rating", "title", "created_at")
    list_filter = ("rating",)
    search_fields = ("product__sku", "product__name", "customer__username", "title")
    list_select_related = ("product", "customer")
    readonly_fields = ("product", "customer", "rating", "title", "body", "created_at")
