"""Admin building blocks shared by the apps."""

from django.core.exceptions import PermissionDenied, ValidationError

from .exceptions import ApplicationError


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
