"""DRF permission classes made from permission codenames ("app_label.codename") granted to the
role groups, so a new role is a data change, not a code change.

The factories live here, at the left end, so every app can declare the permission classes of
the data it guards in its own `permissions` module without importing another app."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


def has_permission(codename: str) -> type[BasePermission]:
    """A permission class that requires `codename` ("app_label.codename")."""

    class HasPermission(BasePermission):
        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user.has_perm(codename))

    HasPermission.__name__ = f"HasPermission[{codename}]"
    return HasPermission


def read_or_permission(codename: str) -> type[BasePermission]:
    """Any authenticated user may read; writing requires `codename`."""
    write = has_permission(codename)

    class ReadOrHasPermission(BasePermission):
        def has_permission(self, request, view) -> bool:
            if not (request.user and request.user.is_authenticated):
                return False
            return request.method in SAFE_METHODS or write().has_permission(request, view)

    ReadOrHasPermission.__name__ = f"ReadOrHasPermission[{codename}]"
    return ReadOrHasPermission
