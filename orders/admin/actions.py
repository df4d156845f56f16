"""The order list's actions: each runs one service call per selected order, or exports them."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse

from orders import services
from salesbackend.admin import service_error_message
from salesbackend.exceptions import ApplicationError
from salesbackend.spreadsheets import write_csv


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
