"""The order page: placing, changing and refunding go through `orders.services`, like the API;
the fields themselves are never edited."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from orders import services
from orders.models import Order, OrderItem, OrderStatus, OrderStatusChange
from orders.selectors import manages_orders, refunded_so_far, units_held_by_returns
from salesbackend.admin import ReadOnlyAdminMixin, address_display, money_display, service_error_message
from salesbackend.exceptions import ApplicationError

from .actions import _status_action, cancel_orders, export_csv
from .forms import OrderEditForm, OrderPlaceForm
from .refunds import RefundForm, RefundInline
from .returns import ReturnInline


def _order_money(field: str, description: str):
    """A read-only column showing an order's amount `field` with the order's currency."""

    @admin.display(description=description, ordering=field)
    def show(self, order: Order) -> str:
        return money_display(getattr(order, field), order.currency)

    return show


def _item_money(field: str, description: str):
    @admin.display(description=description)
    def show(self, item: OrderItem) -> str:
        return money_display(getattr(item, field), item.order.currency)

    return show


class OrderItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OrderItem
    fields = (
        "product",
        "sku",
        "name",
        "quantity",
        "unit_price_display",
        "unit_cost_display",
        "line_total_display",
    )
    readonly_fields = fields
    unit_price_display = _item_money("unit_price", "unit price")
    unit_cost_display = _item_money("unit_cost", "unit cost")
    line_total_display = _item_money("line_total", "line total")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "order")


class OrderStatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OrderStatusChange
    verbose_name_plural = "status history"
    fields = ("created_at", "from_status", "to_status", "by", "note")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    # Short columns that fit 1366 px; numbers and dates never wrap (templates/admin/base_site.html).
    list_display = ("number", "customer_email", "channel", "status", "total_display", "placed_at")
    list_select_related = ("customer", "channel")
    list_filter = ("status", "channel", ("created_at", admin.DateFieldListFilter))
    date_hierarchy = "created_at"
    search_fields = ("number", "customer__email")
    inlines = (OrderItemInline, OrderStatusChangeInline, RefundInline, ReturnInline)
    fields = (
        "number",
        "status",
        "customer",
        "placed_by",
        "channel",
        ("subtotal_display", "discount_display", "tax_display", "shipping_display", "total_display"),
        "shipping_address_display",
        "billing_address_display",
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

    subtotal_display = _order_money("subtotal", "subtotal")
    discount_display = _order_money("discount", "discount")
    tax_display = _order_money("tax", "tax")
    shipping_display = _order_money("shipping", "shipping")
    total_display = _order_money("total", "total")

    @admin.display(description="placed", ordering="created_at")
    def placed_at(self, order: Order):
        return order.created_at

    @admin.display(description="shipping address")
    def shipping_address_display(self, order: Order):
        return address_display(order.shipping_address)

    @admin.display(description="billing address")
    def billing_address_display(self, order: Order):
        return address_display(order.billing_address) if order.billing_address else "Same as shipping"

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
        held = units_held_by_returns(order)  # only their return's refund may take those
        left = [
            (item, item.quantity - done.quantity - held.get(item.pk, 0))
            for item, done in refunded_so_far(order)
            if item.quantity > done.quantity + held.get(item.pk, 0)
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
