from django.urls import path

from analytics.views import reports
from analytics.views.subscriptions import subscribe

app_name = "reports"

urlpatterns = [
    path("", reports.OverviewView.as_view(), name="overview"),
    path("products/", reports.ProductsView.as_view(), name="products"),
    path("revenue/", reports.RevenueView.as_view(), name="revenue"),
    path("categories/", reports.CategoriesView.as_view(), name="categories"),
    path("channels/", reports.ChannelsView.as_view(), name="channels"),
    path("compare/", reports.CompareView.as_view(), name="compare"),
    path("<slug:report>/subscribe/", subscribe, name="subscribe"),
    path("discounts/", reports.DiscountsView.as_view(), name="discounts"),
    path("customers/", reports.CustomersView.as_view(), name="customers"),
    path("rfm/", reports.RfmView.as_view(), name="rfm"),
    path("abc/", reports.AbcView.as_view(), name="abc"),
    path("inventory/", reports.InventoryView.as_view(), name="inventory"),
]
