"""Who may read the sales reports and analytics (a permission codename granted to the role groups)."""

from salesbackend.permissions import has_permission

__all__ = ["CanViewSalesReports"]

CanViewSalesReports = has_permission("analytics.view_sales_reports")
