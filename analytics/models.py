from orders.models import SalesRecord


class SalesReport(SalesRecord):
    """The sales ledger as read by reports; it exists to carry the reports permission."""

    class Meta:
        proxy = True
        default_permissions = ()
        permissions = [("view_sales_reports", "Can view sales reports and analytics")]
