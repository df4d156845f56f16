"""Orders in the admin. Nothing here changes an order directly: placing one and every
lifecycle action call `orders.services`, like the API, so stock, ledgers and audit follow."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django_countries import countries

from accounts.roles import Role
from accounts.selectors import users_with_role
from catalog.models import SalesChannel
from salesbackend.admin import ReadOnlyAdminMixin, service_error_message
from salesbackend.exceptions import ApplicationError
from salesbackend.spreadsheets import write_csv

from . import services
from .models import (
    CustomerSales,
    DailyCustomers,
    DailyOrders,
    DailySales,
    DiscountCode,
    IdempotencyKey,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
    ProductSales,
    Refund,
    RefundReason,
    Review,
    SalesRecord,
)
from .selectors import discount_codes_current, discount_codes_with_uses, manages_orders, refunded_so_far


def _sku_lines(text: str) -> list[dict]:
    """ "SKU quantity" per line, as the order lines the services take."""
    lines = []
    for number, row in enumerate(text.splitlines(), start=1):
        if not row.strip():
            continue
        try:
            sku, quantity = row.split()
            lines.append({"sku": sku, "quantity": int(quantity)})
        except ValueError:
            raise ValidationError(f"Line {number}: write the SKU and a whole quantity.") from None
    if not lines:
        raise ValidationError("Give at least one product.")
    return lines


LINES_HELP = "One product per line: SKU and quantity, e.g. <code>SKU-00001 2</code>."


class OrderEditForm(forms.Form):
    """A pending order's lines, code and note, changed through `order_update` like the API."""

    lines = forms.CharField(widget=forms.Textarea(attrs={"rows": 5, "cols": 40}), help_text=LINES_HELP)
    discount_code = forms.CharField(max_length=32, required=False, help_text="Empty: no code.")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 40}), required=False)
    SERVICE_FIELDS = {"items": "lines", "discount_code": "discount_code"}

    def clean_lines(self) -> list[dict]:
        return _sku_lines(self.cleaned_data["lines"])


class OrderPlaceForm(forms.Form):
    customer = forms.ModelChoiceField(queryset=None)
    channel = forms.ModelChoiceField(queryset=None, to_field_name="code", initial="phone")
    lines = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "cols": 40}),
        help_text=LINES_HELP,
    )
    name = forms.CharField(max_length=200)
    line1 = forms.CharField(max_length=200)
    line2 = forms.CharField(max_length=200, required=False)
    city = forms.CharField(max_length=100)
    postal_code = forms.CharField(max_length=20)
    country = forms.ChoiceField(choices=[("", "---------"), *countries])
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 40}), required=False)
    discount = forms.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False)
    discount_code = forms.CharField(max_length=32, required=False)

    # Where the service's field errors belong on this form.
    SERVICE_FIELDS = {
        "items": "lines",
        "channel": "channel",
        "customer": "customer",
        "discount": "discount",
        "discount_code": "discount_code",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = (
            users_with_role(Role.CUSTOMER).filter(is_active=True).order_by("email")
        )
        self.fields["customer"].label_from_instance = lambda user: f"{user.email} ({user.username})"
        self.fields["channel"].queryset = SalesChannel.objects.filter(is_active=True)

    def clean_lines(self) -> list[dict]:
        return _sku_lines(self.cleaned_data["lines"])

    def place(self, *, actor) -> Order | None:
        """Place the order through the service; its refusals become form errors."""
        data = self.cleaned_data
        try:
            return services.order_place(
                customer=data["customer"],
                actor=actor,
                channel_code=data["channel"].code,
                lines=data["lines"],
                shipping_address={
                    field: data[field]
                    for field in ("name", "line1", "line2", "city", "postal_code", "country")
                },
                note=data["note"],
                discount=data["discount"],
                discount_code=data["discount_code"] or None,
            ).order
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                self.add_error(self.SERVICE_FIELDS.get(field), field_errors)
        except ApplicationError as error:
            self.add_error(None, service_error_message(error))
        return None


class OrderItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OrderItem
    fields = ("product", "sku", "name", "quantity", "unit_price", "unit_cost", "line_total")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")


class OrderStatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OrderStatusChange
    verbose_name_plural = "status history"
    fields = ("created_at", "from_status", "to_status", "by", "note")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


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


def _apply_to_each(request, orders, change, done: str) -> None:
    """Run one service call per order; report what worked and, per order, why not."""
    changed = 0
    for order in orders:
        try:
            change(order)
        except (ApplicationError, ValidationError, PermissionDenied) as error:
            messages.error(request, f"{order}: {service_error_message(error)}")
        else:
            changed += 1
    if changed:
        messages.success(request, f"{changed} order(s) {done}.")


def _status_action(to_status: str, description: str):
    @admin.action(description=description, permissions=["manage_orders"])
    def action(modeladmin, request, queryset):
        _apply_to_each(
            request,
            queryset,
            lambda order: services.order_set_status(order=order, to_status=to_status, actor=request.user),
            f"marked {to_status}",
        )

    action.__name__ = f"mark_{to_status}"
    return action


@admin.action(description="Cancel selected orders (stock goes back)", permissions=["manage_orders"])
def cancel_orders(modeladmin, request, queryset):
    _apply_to_each(
        request, queryset, lambda order: services.order_cancel(order=order, actor=request.user), "cancelled"
    )


CSV_COLUMNS = (
    "number",
    "created_at",
    "customer",
    "channel",
    "status",
    "subtotal",
    "discount",
    "tax",
    "shipping",
    "total",
    "currency",
)


@admin.action(description="Export selected orders as CSV", permissions=["view"])
def export_csv(modeladmin, request, queryset):
    rows = (
        [
            order.number,
            order.created_at.isoformat(),
            order.customer.email,
            order.channel.code,
            order.status,
            order.subtotal,
            order.discount,
            order.tax,
            order.shipping,
            order.total,
            order.currency,
        ]
        for order in queryset.select_related("customer", "channel").order_by("created_at", "id")
    )
    response = HttpResponse(write_csv(CSV_COLUMNS, rows), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="orders.csv"'
    return response


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "customer_email", "channel", "status", "total", "created_at")
    list_select_related = ("customer", "channel")
    list_filter = ("status", "channel", ("created_at", admin.DateFieldListFilter))
    date_hierarchy = "created_at"
    search_fields = ("number", "customer__email")
    inlines = (OrderItemInline, OrderStatusChangeInline, RefundInline)
    fields = (
        "number",
        "status",
        "customer",
        "placed_by",
        "channel",
        ("subtotal", "discount", "tax", "shipping", "total", "currency"),
        "shipping_address",
        "billing_address",
        "note",
        ("created_at", "updated_at"),
        "refund_link",
        "edit_link",
    )
    readonly_fields = tuple(
        name for entry in fields for name in ((entry,) if isinstance(entry, str) else entry)
    )
    actions = (
        _status_action(OrderStatus.PAID, "Mark selected orders paid"),
        _status_action(OrderStatus.SHIPPED, "Mark selected orders shipped"),
        _status_action(OrderStatus.DELIVERED, "Mark selected orders delivered"),
        cancel_orders,
        _status_action(OrderStatus.REFUNDED, "Refund selected orders (stock goes back)"),
        export_csv,
    )

    @admin.display(description="refund")
    def refund_link(self, order: Order) -> str:
        if order.status not in services.REFUNDABLE_STATUSES:
            return "-"
        return format_html(
            '<a class="button" href="{}">Refund units…</a>',
            reverse("admin:orders_order_refund", args=[order.pk]),
        )

    @admin.display(description="edit")
    def edit_link(self, order: Order) -> str:
        if order.status != OrderStatus.PENDING:
            return "-"
        url = reverse("admin:orders_order_edit", args=[order.pk])
        return format_html('<a class="button" href="{}">Change lines…</a>', url)

    def get_urls(self):
        refund = self.admin_site.admin_view(self.refund_view)
        edit = self.admin_site.admin_view(self.edit_view)
        return [
            path("<int:pk>/refund/", refund, name="orders_order_refund"),
            path("<int:pk>/edit/", edit, name="orders_order_edit"),
            *super().get_urls(),
        ]

    def edit_view(self, request, pk: int):
        """Change a pending order's lines, code and note: the same `order_update` as the API."""
        if not manages_orders(request.user):
            raise PermissionDenied
        order = get_object_or_404(Order.objects.select_related("discount_code"), pk=pk)
        initial = {
            "lines": "\n".join(f"{item.sku} {item.quantity}" for item in order.items.all()),
            "discount_code": order.discount_code.code if order.discount_code_id else "",
            "note": order.note,
        }
        form = OrderEditForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.order_update(
                    order=order,
                    actor=request.user,
                    items=form.cleaned_data["lines"],
                    discount_code=form.cleaned_data["discount_code"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                for field, field_errors in error.message_dict.items():
                    form.add_error(OrderEditForm.SERVICE_FIELDS.get(field), field_errors)
            except (ApplicationError, PermissionDenied) as error:
                form.add_error(None, service_error_message(error))
            else:
                messages.success(request, f"Order {order.number} changed.")
                return redirect(reverse("admin:orders_order_change", args=[order.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Change {order.number}",
            "form": form,
            "opts": self.model._meta,
            "submit_label": "Save changes",
            "intro": "Stock moves by the difference; kept lines keep their price; totals are computed again.",
        }
        return TemplateResponse(request, "admin/orders/order/place_order.html", context)

    def refund_view(self, request, pk: int):
        """A refund of some units: the same `order_refund` as the API."""
        if not manages_orders(request.user):
            raise PermissionDenied
        order = get_object_or_404(Order, pk=pk)
        left = [
            (item, item.quantity - done.quantity)
            for item, done in refunded_so_far(order)
            if item.quantity > done.quantity
        ]
        form = RefundForm(request.POST or None, left=left)
        if request.method == "POST" and form.is_valid():
            try:
                services.order_refund(
                    order=order,
                    lines=form.lines(),
                    restock=form.cleaned_data["restock"],
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except (ApplicationError, ValidationError, PermissionDenied) as error:
                form.add_error(None, service_error_message(error))
            else:
                messages.success(request, f"Refund of {order.number} recorded.")
                return redirect(reverse("admin:orders_order_change", args=[order.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Refund units of {order.number}",
            "form": form,
            "opts": self.model._meta,
            "submit_label": "Refund",
            "intro": "Money, tax share and (if chosen) stock go back exactly as through the API.",
        }
        return TemplateResponse(request, "admin/orders/order/place_order.html", context)

    @admin.display(description="customer", ordering="customer__email")
    def customer_email(self, order: Order) -> str:
        return order.customer.email

    def has_manage_orders_permission(self, request) -> bool:
        return manages_orders(request.user)

    def has_add_permission(self, request) -> bool:
        return manages_orders(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        # Orders change only through the lifecycle actions, never by editing fields.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def add_view(self, request, form_url="", extra_context=None):
        """Placing an order is `order_place`, not a model form."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = OrderPlaceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            order = form.place(actor=request.user)
            if order is not None:
                messages.success(request, f"Order {order.number} placed.")
                return redirect(reverse("admin:orders_order_change", args=[order.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Place an order",
            "form": form,
            "opts": self.model._meta,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/orders/order/place_order.html", context)


@admin.register(SalesRecord)
class SalesRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The sales ledger, read-only: rows come from payments and their reversals."""

    list_display = ("sold_at", "order", "product", "category", "channel", "quantity", "revenue", "cost")
    list_select_related = ("order", "product", "category", "channel")
    list_filter = ("channel", "category", ("sold_at", admin.DateFieldListFilter))
    date_hierarchy = "sold_at"
    search_fields = ("order__number", "product__sku")


@admin.register(DailySales)
class DailySalesAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Rollup of the sales ledger kept by orders.services; `rebuild_sales_rollup` repairs it."""

    list_display = ("day", "channel", "category", "quantity", "revenue", "cost")
    list_select_related = ("channel", "category")
    list_filter = ("channel", ("day", admin.DateFieldListFilter))
    date_hierarchy = "day"


@admin.register(ProductSales)
class ProductSalesAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "whole_month", "product", "channel", "category", "quantity", "revenue", "cost")
    list_select_related = ("product", "channel", "category")
    list_filter = ("whole_month", "channel", ("day", admin.DateFieldListFilter))
    search_fields = ("product__sku", "product__name")


@admin.register(DailyOrders)
class DailyOrdersAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "channel", "orders_sold", "orders_reversed")
    list_select_related = ("channel",)
    list_filter = ("channel", ("day", admin.DateFieldListFilter))
    date_hierarchy = "day"


@admin.register(DailyCustomers)
class DailyCustomersAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "channel", "customer")
    list_select_related = ("channel", "customer")
    list_filter = ("channel", ("day", admin.DateFieldListFilter))
    search_fields = ("customer__email",)


@admin.register(CustomerSales)
class CustomerSalesAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("customer", "channel", "first_day", "last_day", "orders_sold", "revenue")
    list_select_related = ("channel", "customer")
    list_filter = ("channel",)
    search_fields = ("customer__email",)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "customer", "key", "order")
    list_select_related = ("customer", "order")
    search_fields = ("key", "customer__email", "order__number")


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reviews are written by customers through the API; the admin reads them."""

    list_display = ("product", "customer", "rating", "title", "created_at")
    list_filter = ("rating",)
    search_fields = ("product__sku", "product__name", "customer__username", "title")
    list_select_related = ("product", "customer")
    readonly_fields = ("product", "customer", "rating", "title", "body", "created_at")


class DiscountCodeForm(forms.ModelForm):
    class Meta:
        model = DiscountCode
        fields = (*services.DISCOUNT_CODE_FIELDS, "channels", "categories")

    def _post_clean(self):
        super()._post_clean()
        try:  # the service's own rules (case-insensitive code, percent range, date order)
            services.discount_code_validate(self.instance)
        except ValidationError as error:
            self._update_errors(error)


class CodeStateFilter(admin.SimpleListFilter):
    title = "validity"
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [("current", "Current"), ("expired", "Expired")]

    def queryset(self, request, queryset):
        if self.value() in ("current", "expired"):
            return discount_codes_current(queryset, current=self.value() == "current")
        return queryset


@admin.register(DiscountCode)
class DiscountCodeAdmin(admin.ModelAdmin):
    """Saved, changed and deleted through the same services as the API (validation, audit)."""

    form = DiscountCodeForm
    list_display = ("code", "kind", "value", "uses_display", "max_uses", "starts_at", "ends_at", "is_active")
    list_filter = ("is_active", CodeStateFilter, "kind")
    search_fields = ("code", "description")
    filter_horizontal = ("channels", "categories")

    def get_queryset(self, request):
        return discount_codes_with_uses()

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletes go through the service (409 when used, audit)
        return actions

    @admin.display(description="uses", ordering="uses")
    def uses_display(self, code):
        return code.uses

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.DISCOUNT_CODE_FIELDS}
        scope = {"channels": form.cleaned_data["channels"], "categories": form.cleaned_data["categories"]}
        try:
            if change:
                services.discount_code_update(
                    code=DiscountCode.objects.get(pk=obj.pk), actor=request.user, data={**fields, **scope}
                )
            else:
                obj.pk = services.discount_code_create(actor=request.user, **fields, **scope).pk
        except (ValidationError, ApplicationError) as error:
            raise PermissionDenied(service_error_message(error)) from error

    def save_related(self, request, form, formsets, change):
        pass  # the service set the channels and categories

    def delete_model(self, request, obj):
        try:
            services.discount_code_delete(code=obj, actor=request.user)
        except ApplicationError as error:
            self.message_user(request, service_error_message(error), messages.ERROR)
