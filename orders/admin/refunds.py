"""Refunds: the history inline on the order page, the read-only list of all refunds, and the
form of the refund view. Refunds are made only by `orders.services.order_refund`."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from orders.models import OrderItem, Refund, RefundReason
from salesbackend.admin import ReadOnlyAdminMixin, money_display


class RefundInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Refund
    fields = ("created_at", "units", "amount_display", "tax_display", "restocked", "reason", "by", "note")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by", "order").prefetch_related("lines")

    @admin.display(description="units")
    def units(self, refund: Refund) -> str:
        return ", ".join(f"{line.quantity} x {line.sku}" for line in refund.lines.all())

    @admin.display(description="amount")
    def amount_display(self, refund: Refund) -> str:
        return money_display(refund.amount, refund.order.currency)

    @admin.display(description="tax")
    def tax_display(self, refund: Refund) -> str:
        return money_display(refund.tax, refund.order.currency)


class StaffMemberFilter(admin.RelatedOnlyFieldListFilter):
    """The staff who made refunds, under a heading that says so."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "staff member"


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every refund, newest first: read-only (a refund is made from its order's page)."""

    list_display = ("created_at", "order_link", "amount_display", "reason", "restocked", "staff_member")
    list_select_related = ("order", "by")
    list_filter = (
        ("created_at", admin.DateFieldListFilter),
        "reason",
        ("by", StaffMemberFilter),
    )
    date_hierarchy = "created_at"
    search_fields = ("order__number", "note")
    ordering = ("-created_at", "-id")
    fields = (
        "created_at",
        "order_link",
        "amount_display",
        "tax_display",
        "restocked",
        "reason",
        "staff_member",
        "note",
    )
    readonly_fields = fields

    @admin.display(description="order", ordering="order__number")
    def order_link(self, refund: Refund) -> str:
        url = reverse("admin:orders_order_change", args=[refund.order_id])
        return format_html('<a href="{}">{}</a>', url, refund.order.number)

    @admin.display(description="amount", ordering="amount")
    def amount_display(self, refund: Refund) -> str:
        return money_display(refund.amount, refund.order.currency)

    @admin.display(description="tax")
    def tax_display(self, refund: Refund) -> str:
        return money_display(refund.tax, refund.order.currency)

    @admin.display(description="staff member", ordering="by__email")
    def staff_member(self, refund: Refund) -> str:
        return str(refund.by or "-")


class RefundForm(forms.Form):
    """One quantity per order line (what is left to refund at most), restock, reason, note."""

    restock = forms.BooleanField(required=False, initial=True, help_text="Put the units back in stock.")
    reason = forms.ChoiceField(choices=RefundReason.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 40}), required=False)

    def __init__(self, *args, left: list[tuple[OrderItem, int]], **kwargs):
        super().__init__(*args, **kwargs)
        self.left = left
        for item, quantity in left:
            self.fields[f"item_{item.pk}"] = forms.IntegerField(
                label=f"{item.sku} {item.name}",
                min_value=0,
                max_value=quantity,
                initial=0,
                help_text=f"{quantity} of {item.quantity} left to refund.",
            )

    def lines(self) -> list[dict]:
        return [
            {"product": item.product_id, "quantity": self.cleaned_data[f"item_{item.pk}"]}
            for item, _ in self.left
            if self.cleaned_data.get(f"item_{item.pk}")
        ]
