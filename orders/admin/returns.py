"""Returns in the admin: the list with its actions (approve, reject with a note, refund, cancel),
the receipt form per line, and the read-only list on the order page. Every change is a call to
`orders.services`, like the API, so stock, refunds, history, audit and e-mails follow."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from orders import services
from orders.models import (
    Return,
    ReturnCondition,
    ReturnDisposition,
    ReturnLine,
    ReturnStatus,
    ReturnStatusChange,
)
from orders.selectors import manages_orders
from salesbackend.admin import ReadOnlyAdminMixin, service_error_message
from salesbackend.exceptions import ApplicationError

REFUSALS = (ApplicationError, ValidationError, PermissionDenied)


def _apply_to_each(request, returns, change, done: str) -> None:
    """One service call per return; what worked, and per return why not."""
    changed = 0
    for returned in returns:
        try:
            change(returned)
        except REFUSALS as error:
            messages.error(request, f"{returned}: {service_error_message(error)}")
        else:
            changed += 1
    if changed:
        messages.success(request, f"{changed} return(s) {done}.")


@admin.action(description="Approve selected returns", permissions=["manage_orders"])
def approve_returns(modeladmin, request, queryset):
    _apply_to_each(
        request,
        queryset,
        lambda returned: services.return_approve(return_request=returned, actor=request.user),
        "approved",
    )


@admin.action(description="Refund selected received returns", permissions=["manage_orders"])
def refund_returns(modeladmin, request, queryset):
    _apply_to_each(
        request,
        queryset,
        lambda returned: services.return_refund(return_request=returned, actor=request.user),
        "refunded",
    )


@admin.action(description="Cancel selected returns", permissions=["manage_orders"])
def cancel_returns(modeladmin, request, queryset):
    _apply_to_each(
        request,
        queryset,
        lambda returned: services.return_cancel(return_request=returned, actor=request.user),
        "cancelled",
    )


class RejectForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Why the return is rejected: the customer is e-mailed this.",
    )


@admin.action(description="Reject selected returns…", permissions=["manage_orders"])
def reject_returns(modeladmin, request, queryset):
    """First a page asking why (the note is required and sent to the customer), then reject."""
    form = RejectForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        note = form.cleaned_data["note"]
        _apply_to_each(
            request,
            queryset,
            lambda returned: services.return_reject(return_request=returned, actor=request.user, note=note),
            "rejected",
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Reject returns",
        "form": form,
        "returns": queryset,
        "opts": modeladmin.model._meta,
        "action": "reject_returns",
    }
    return TemplateResponse(request, "admin/orders/return/reject.html", context)


class ReceiveForm(forms.Form):
    """Per line: units received (at most those asked back), their condition and disposition."""

    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 40}), required=False)

    def __init__(self, *args, lines: list[ReturnLine], **kwargs):
        super().__init__(*args, **kwargs)
        self.return_lines = lines
        for line in lines:
            self.fields[f"received_{line.pk}"] = forms.IntegerField(
                label=f"{line.sku} received",
                min_value=0,
                max_value=line.quantity,
                initial=line.quantity,
                help_text=f"{line.quantity} asked back.",
            )
            self.fields[f"condition_{line.pk}"] = forms.ChoiceField(
                label=f"{line.sku} condition", choices=ReturnCondition.choices
            )
            self.fields[f"disposition_{line.pk}"] = forms.ChoiceField(
                label=f"{line.sku} disposition",
                choices=ReturnDisposition.choices,
                help_text="Restock puts the units back in stock; scrap moves no stock.",
            )

    def lines(self) -> list[dict]:
        return [
            {
                "product": line.product_id,
                "quantity": self.cleaned_data[f"received_{line.pk}"],
                "condition": self.cleaned_data[f"condition_{line.pk}"],
                "disposition": self.cleaned_data[f"disposition_{line.pk}"],
            }
            for line in self.return_lines
            if self.cleaned_data.get(f"received_{line.pk}")
        ]


class ReturnLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReturnLine
    fields = ("product", "sku", "quantity", "received", "condition", "disposition")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")


class ReturnStatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReturnStatusChange
    verbose_name_plural = "history"
    fields = ("created_at", "from_status", "to_status", "by", "note", "mail_sent_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class ReturnInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The order page's list of its returns, each a link to its own page."""

    model = Return
    fields = ("return_link", "status", "reason", "units", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lines")

    @admin.display(description="return")
    def return_link(self, returned: Return) -> str:
        url = reverse("admin:orders_return_change", args=[returned.pk])
        return format_html('<a href="{}">{}</a>', url, returned.number)

    @admin.display(description="units")
    def units(self, returned: Return) -> str:
        return ", ".join(f"{line.quantity} x {line.sku}" for line in returned.lines.all())


@admin.register(Return)
class ReturnAdmin(admin.ModelAdmin):
    """Every return, newest first; the fields are never edited, only moved by the actions."""

    list_display = ("number", "order_link", "customer_email", "status", "reason", "created_at")
    list_select_related = ("order", "customer")
    list_filter = ("status", "reason", ("created_at", admin.DateFieldListFilter))
    date_hierarchy = "created_at"
    search_fields = ("number", "customer__email", "order__number")
    ordering = ("-created_at", "-id")
    inlines = (ReturnLineInline, ReturnStatusChangeInline)
    fields = (
        "number",
        "order_link",
        "customer_email",
        "status",
        "reason",
        "note",
        "requested_by",
        "refund",
        "created_at",
        "receive_link",
    )
    readonly_fields = fields
    actions = (approve_returns, reject_returns, refund_returns, cancel_returns)

    @admin.display(description="order", ordering="order__number")
    def order_link(self, returned: Return) -> str:
        url = reverse("admin:orders_order_change", args=[returned.order_id])
        return format_html('<a href="{}">{}</a>', url, returned.order.number)

    @admin.display(description="customer", ordering="customer__email")
    def customer_email(self, returned: Return) -> str:
        return returned.customer.email

    @admin.display(description="receive")
    def receive_link(self, returned: Return) -> str:
        if returned.status != ReturnStatus.APPROVED:
            return "-"
        url = reverse("admin:orders_return_receive", args=[returned.pk])
        return format_html('<a class="button" href="{}">Receive the parcel…</a>', url)

    def get_urls(self):
        receive = self.admin_site.admin_view(self.receive_view)
        return [path("<int:pk>/receive/", receive, name="orders_return_receive"), *super().get_urls()]

    def receive_view(self, request, pk: int):
        """The parcel arrived: the same `return_receive` as the API, one row per line."""
        if not manages_orders(request.user):
            raise PermissionDenied
        returned = get_object_or_404(Return, pk=pk)
        form = ReceiveForm(request.POST or None, lines=list(returned.lines.all()))
        if request.method == "POST" and form.is_valid():
            try:
                services.return_receive(
                    return_request=returned,
                    lines=form.lines(),
                    actor=request.user,
                    note=form.cleaned_data["note"],
                )
            except REFUSALS as error:
                form.add_error(None, service_error_message(error))
            else:
                messages.success(request, f"Return {returned.number} received.")
                return redirect(reverse("admin:orders_return_change", args=[returned.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Receive {returned.number}",
            "form": form,
            "opts": self.model._meta,
            "submit_label": "Receive",
            "intro": "Restocked units go back in stock as return movements; scrapped ones do not.",
        }
        return TemplateResponse(request, "admin/orders/order/place_order.html", context)

    def has_manage_orders_permission(self, request) -> bool:
        return manages_orders(request.user)

    def has_add_permission(self, request) -> bool:
        return False  # a return is asked for on its order (API), never typed in here

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
