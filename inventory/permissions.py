"""Who may read and change stock."""

from salesbackend.permissions import has_permission

CanManageStock = has_permission("inventory.manage_stock")
