"""DRF permission classes of the accounts app. Every check is a permission codename granted to a
role's group, so a new role is a data change, not a code change.

Each app declares the classes that guard its own data in its own `permissions` module."""

from rest_framework.permissions import BasePermission

from salesbackend.permissions import has_permission

from .roles import Role

__all__ = [
    "CanViewCustomers",
    "IsCEO",
    "IsCustomer",
]

IsCEO = has_permission("accounts.manage_users")
CanViewCustomers = has_permission("accounts.view_customers")


class IsCustomer(BasePermission):
    """A customer account, for what a customer does to their own account (close it).

    This asks what kind of account it is, not what it may do: the CEO holds every
    permission, so no permission codename can single out customers.
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.CUSTOMER)
