"""Stock in the admin: rows with a low-stock filter and an adjust action that calls
`stock_adjust_many()`, and the read-only ledger. Quantities never change any other way."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from orders.selectors import with_order_number
from salesbackend.admin import ReadOnlyAdminMixin, service_error_message
from salesbackend.exceptions import ApplicationError

from .locations import location_create, location_update
from .models import ADJUSTMENT_REASONS, Location, LocationStock, Stock, StockMovement, Transfer, TransferLine
from .services import stock_adjust_many, stock_threshold_set
from .transfers import transfer_cancel, transfer_receive, transfer_ship


class LowStockFilter(admin.SimpleListFilter):
    title = "stock level"
    parameter_name = "low"

    def lookups(self, request, model_admin):
        return [("yes", "Low (at or below threshold)"), ("no", "Above threshold")]

    def queryset(self, request, queryset):
        low = {"quantity__lte": F("low_stock_threshold")}
        if self.value() == "yes":
            return queryset.filter(**low)
        if self.value() == "no":
            return queryset.exclude(**low)
        return queryset


class StockAdjustForm(forms.Form):
    MODES = [("delta", "Add or remove units (negative removes)"), ("quantity", "Set the quantity on hand")]

    mode = forms.ChoiceField(choices=MODES, widget=forms.RadioSelect, initial="delta")
    amount = forms.IntegerField()
    reason = forms.ChoiceField(choices=[(reason.value, reason.label) for reason in ADJUSTMENT_REASONS])
    note = forms.CharField(max_length=500, required=False)
    location = forms.ModelChoiceField(
        queryset=Location.objects.order_by("-priority", "code"),
        required=False,
        to_field_name="code",
        help_text="Empty: each product's only stocked location, else main.",
    )

    def clean(self):
        data = super().clean()
        if data.get("mode") == "quantity" and data.get("amount") is not None and data["amount"] < 0:
            self.add_error("amount", "The quantity on hand cannot be negative.")
        if data.get("mode") == "delta" and data.get("amount") == 0:
            self.add_error("amount", "A change of 0 changes nothing.")
        return data


class LocationStockInline(admin.TabularInline):
    """The product's stock at each location; quantities change only through the adjust action."""

    model = LocationStock
    fields = ("location", "quantity", "low_stock_threshold", "is_low", "updated_at")
    readonly_fields = fields
    can_delete = False
    extra = 0
    verbose_name_plural = "stock at each location"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("location")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="low", boolean=True)
    def is_low(self, row):
        return row.is_low


@admin.register(Stock)
class StockAdmin(admin.ModelAdmin):
    list_display = ("sku", "product_name", "quantity", "low_stock_threshold", "is_low", "updated_at")
    list_filter = (LowStockFilter,)
    search_fields = ("product__sku", "product__name")
    list_select_related = ("product",)
    ordering = ("product__sku",)
    fields = ("product", "quantity", "low_stock_threshold", "updated_at")
    readonly_fields = ("product", "quantity", "updated_at")
    inlines = (LocationStockInline,)
    actions = ("adjust_stock",)

    @admin.display(description="SKU", ordering="product__sku")
    def sku(self, stock):
        return stock.product.sku

    @admin.display(description="product", ordering="product__name")
    def product_name(self, stock):
        return stock.product.name

    @admin.display(description="low", boolean=True)
    def is_low(self, stock):
        return stock.is_low

    def has_add_permission(self, request):
        return False  # every product gets its stock row when it is created

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        stock_threshold_set(
            stock=Stock.objects.get(pk=obj.pk),
            actor=request.user,
            low_stock_threshold=form.cleaned_data["low_stock_threshold"],
        )

    @admin.action(description="Adjust stock of the selected products", permissions=["manage_stock"])
    def adjust_stock(self, request, queryset):
        """An intermediate form; on apply, every selected row is adjusted or none is."""
        form = StockAdjustForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            stocks = list(queryset.select_related("product"))
            try:
                stock_adjust_many(
                    products=[stock.product for stock in stocks],
                    actor=request.user,
                    reason=data["reason"],
                    note=data["note"],
                    location=data["location"],
                    **{data["mode"]: data["amount"]},
                )
            except (ApplicationError, ValidationError) as refused:
                self.message_user(
                    request, f"Nothing changed. {service_error_message(refused)}", messages.ERROR
                )
            else:
                self.message_user(request, f"Adjusted the stock of {len(stocks)} products.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Adjust stock",
            "form": form,
            "stocks": queryset.select_related("product"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/inventory/stock/adjust.html", context)

    def has_manage_stock_permission(self, request):
        return request.user.has_perm("inventory.manage_stock")


@admin.display(description="order", ordering="order_id")
def order_link(movement: StockMovement) -> str:
    """The movement's order by number, linked to it (`with_order_number` annotates it)."""
    if movement.order_id is None:
        return "-"
    url = reverse("admin:orders_order_change", args=[movement.order_id])
    return format_html(
        '<a href="{}">{}</a>', url, getattr(movement, "order_number", None) or movement.order_id
    )


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ledger: append-only, so read-only here."""

    list_display = (
        "created_at",
        "product",
        "delta",
        "quantity_before",
        "quantity_after",
        "reason",
        order_link,
        "actor",
    )
    list_filter = ("reason", ("created_at", admin.DateFieldListFilter))
    search_fields = ("product__sku", "product__name", "note")
    list_select_related = ("product", "actor")

    def get_queryset(self, request):
        return with_order_number(super().get_queryset(request))

    date_hierarchy = "created_at"


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    """Warehouses and stores: the CEO adds and changes them (through the same service as the
    API: audited, and a location holding stock is not deactivated); staff may look."""

    list_display = ("code", "name", "kind", "is_active", "priority", "channel_list")
    list_filter = ("kind", "is_active", "channels")
    search_fields = ("code", "name")
    filter_horizontal = ("channels",)
    fields = ("code", "name", "kind", "is_active", "priority", "channels")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("channels")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()

    @admin.display(description="channels")
    def channel_list(self, location):
        return ", ".join(channel.code for channel in location.channels.all()) or "every channel"

    def has_delete_permission(self, request, obj=None):
        return False  # movements name it; deactivate it instead

    def save_model(self, request, obj, form, change):
        """Through the service, with its channels (so `save_related` has nothing left to do)."""
        editable = ("name", "kind", "is_active", "priority", "channels")
        data = {field: form.cleaned_data[field] for field in editable}
        if change:
            try:
                location_update(location=obj, actor=request.user, data=data)
            except ApplicationError as refused:
                message = f"Nothing changed. {service_error_message(refused)}"
                self.message_user(request, message, messages.ERROR)
        else:
            created = location_create(actor=request.user, code=form.cleaned_data["code"], **data)
            obj.pk, obj.created_at = created.pk, created.created_at

    def save_related(self, request, form, formsets, change):
        pass  # the channels were saved with the location


class TransferLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TransferLine
    fields = ("product", "quantity", "received")
    readonly_fields = fields


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Transfers are drafted through the API; here staff ship, receive (everything shipped) or
    cancel them, through the same services, each selected transfer on its own."""

    list_display = (
        "number",
        "from_location",
        "to_location",
        "status",
        "created_at",
        "shipped_at",
        "received_at",
    )
    list_filter = ("status", "from_location", "to_location")
    search_fields = ("number", "note")
    list_select_related = ("from_location", "to_location")
    inlines = (TransferLineInline,)
    actions = ("ship", "receive", "cancel")

    @admin.action(description="Ship the selected transfers", permissions=["manage_stock"])
    def ship(self, request, queryset):
        self._each(request, queryset, transfer_ship, "Shipped")

    @admin.action(
        description="Receive everything shipped on the selected transfers", permissions=["manage_stock"]
    )
    def receive(self, request, queryset):
        self._each(request, queryset, transfer_receive, "Received")

    @admin.action(description="Cancel the selected transfers", permissions=["manage_stock"])
    def cancel(self, request, queryset):
        self._each(request, queryset, transfer_cancel, "Cancelled")

    def _each(self, request, queryset, step, done: str) -> None:
        for transfer in queryset:
            try:
                step(transfer=transfer, actor=request.user)
            except (ApplicationError, ValidationError) as refused:
                message = f"{transfer.number}: nothing changed. {service_error_message(refused)}"
                self.message_user(request, message, messages.ERROR)
            else:
                self.message_user(request, f"{done} {transfer.number}.", messages.SUCCESS)

    def has_manage_stock_permission(self, request):
        return request.user.has_perm("inventory.manage_stock")
