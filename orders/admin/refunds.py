"""Refunds on the order page: the history inline and the form of the refund view."""

from django import forms
from django.contrib import admin

from orders.models import OrderItem, Refund, RefundReason
from salesbackend.admin import ReadOnlyAdminMixin


class RefundInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Refund
    fields = ("created_at", "units", "amount", "tax", "restocked", "reason", "by", "note")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by").prefetch_related("lines")

    @admin.display(description="units")
    def units(self, refund: Refund) -> str:
        return ", ".join(f"{line.quantity} x {line.sku}" for line in refund.lines.all())


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
