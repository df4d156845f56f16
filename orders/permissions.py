"""Who may place orders and who manages them (permission codenames granted to the role groups)."""

from salesbackend.permissions import has_permission

__all__ = ["CanManageDiscountCodes", "CanManageOrders", "CanPlaceOrders", "CanWriteReviews"]

CanManageOrders = has_permission("orders.manage_orders")
CanPlaceOrders = has_permission("orders.place_order")
CanWriteReviews = has_permission("orders.write_review")
CanManageDiscountCodes = has_permission("orders.manage_discount_codes")
