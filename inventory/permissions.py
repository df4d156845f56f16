"""Who may read and change stock."""

from salesbackend.permissions import has_permission, read_or_permission

CanManageStock = has_permission("inventory.manage_stock")

# Reading locations is part of managing stock; writing them is the CEO's.
ReadOrCanManageLocations = read_or_permission("inventory.manage_locations")
