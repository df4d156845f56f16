"""Who may read the sales reports and analytics (a permission codename granted to the role groups)."""

from rest_framework.permissions import BasePermission

from salesbackend.permissions import has_permission

__all__ = ["CanViewSalesReports", "TargetPermission"]

CanViewSalesReports = has_permission("analytics.view_sales_reports")


class TargetPermission(BasePermission):
    """Targets: staff who may read the reports read them; writing takes the model's add,
    change or delete permission (the CEO's)."""

    ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.has_perm("analytics.view_target")):
            return False
        action = self.ACTIONS.get(request.method)
        return action is None or user.has_perm(f"analytics.{action}_target")
