"""Who may read the sales reports and analytics (a permission codename granted to the role groups)."""

from rest_framework.permissions import BasePermission

from salesbackend.permissions import has_permission

__all__ = ["CanViewSalesReports", "ReportAlertPermission", "TargetPermission"]

CanViewSalesReports = has_permission("analytics.view_sales_reports")


def model_permission(model_name: str) -> type[BasePermission]:
    """Reading takes the model's view permission; writing its add, change or delete one
    (targets: salespeople read, the CEO writes; alerts: every staff member, their own)."""

    class ModelPermission(BasePermission):
        ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}

        def has_permission(self, request, view) -> bool:
            user = request.user
            if not (user and user.is_authenticated and user.has_perm(f"analytics.view_{model_name}")):
                return False
            action = self.ACTIONS.get(request.method)
            if action == "add" and getattr(view, "action", None) == "check":
                action = None  # evaluating an alert writes nothing
            return action is None or user.has_perm(f"analytics.{action}_{model_name}")

    ModelPermission.__name__ = f"ModelPermission[{model_name}]"
    return ModelPermission


TargetPermission = model_permission("target")
ReportAlertPermission = model_permission("reportalert")
