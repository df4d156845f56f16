"""Who may change the catalog, and who sees all of it."""

from salesbackend.permissions import has_permission, read_or_permission

__all__ = ["CanManageCatalog", "is_staff_user", "read_or_permission"]

CanManageCatalog = has_permission("catalog.manage_catalog")


def is_staff_user(user) -> bool:
    """Staff for data visibility (cost prices, all orders, non-active products)."""
    return bool(user and user.is_authenticated and user.has_perm("catalog.manage_catalog"))
