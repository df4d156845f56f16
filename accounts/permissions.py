"""DRF permission classes. Every check is a permission codename granted to a role's group,
so a new role is a data change, not a code change."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .roles import Role


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


IsCEO = has_permission("accounts.manage_users")
CanViewCustomers = has_permission("accounts.view_customers")
CanManageCatalog = has_permission("catalog.manage_catalog")
CanManageStock = has_permission("inventory.manage_stock")
CanManageOrders = has_permission("orders.manage_orders")
CanPlaceOrders = has_permission("orders.place_order")
CanViewSalesReports = has_permission("analytics.view_sales_reports")
CanViewAudit = has_permission("audit.view_auditentry")


class IsCustomer(BasePermission):
    """A customer account, for what a customer does to their own account (close it).

    This asks what kind of account it is, not what it may do: the CEO holds every
    permission, so no permission codename can single out customers.
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.CUSTOMER)


def is_staff_user(user) -> bool:
    """Staff for data visibility (cost prices, all orders, non-active products)."""
    return bool(user and user.is_authenticated and user.has_perm("catalog.manage_catalog"))
