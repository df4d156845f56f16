"""Admin building blocks shared by the apps."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .exceptions import ApplicationError

# The lines of a postal address snapshot, in the order they are written on an envelope.
ADDRESS_LINES = (("name",), ("line1",), ("line2",), ("postal_code", "city"), ("country",))


def money_display(amount: Decimal | int | None, currency: str | None = None) -> str:
    """Money as a person reads it in the admin: `12,345.60 EUR` (the sales currency unless given)."""
    if amount is None:
        return "-"
    return f"{Decimal(amount):,.2f} {currency or settings.SALES_CURRENCY}"


def address_display(address: Mapping[str, Any] | None) -> SafeString | str:
    """A postal address snapshot as its lines (name, street, postal code and city, country)."""
    if not address:
        return "-"
    lines = [" ".join(str(address[key]) for key in keys if address.get(key)) for keys in ADDRESS_LINES]
    return format_html(
        '<address class="postal-address">{}</address>',
        format_html_join("", "{}<br>", ((line,) for line in lines if line)),
    )


def service_error_message(error: Exception) -> str:
    """What a service's refusal says to a person in the admin, with any stock shortfalls."""
    if isinstance(error, ApplicationError):
        shortfalls = "; ".join(
            f"{item['sku']}: {item['requested']} wanted, {item['available']} in stock"
            for item in error.extra.get("items", [])
            if {"sku", "requested", "available"} <= set(item)
        )
        return f"{error.message} {shortfalls}".strip()
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, PermissionDenied):
        return str(error) or "Permission denied."
    raise TypeError(f"not a service refusal: {error!r}")


class ReadOnlyAdminMixin:
    """For ledgers and snapshots written only by services: viewable, never added, edited
    or deleted in the admin. Works on model admins and inlines alike."""

    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class InternalTableAdminMixin:
    """Tables kept by the services for the software itself (rollups, the sales ledger's rows,
    idempotency keys, tokens): in the CEO's menu only. The CEO is whoever may manage users
    (superusers hold every permission); a salesperson gets 403 on their pages."""

    def _sees_internal_tables(self, request) -> bool:
        return request.user.is_active and request.user.has_perm("accounts.manage_users")

    def has_module_permission(self, request) -> bool:
        return self._sees_internal_tables(request) and super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request, obj=None) -> bool:
        return self._sees_internal_tables(request) and super().has_view_permission(request, obj)  # type: ignore[misc]
