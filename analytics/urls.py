from django.urls import path

from analytics.views import api, lines
from analytics.views.targets import TargetProgressView

app_name = "analytics"

urlpatterns = [
    path("summary/", api.SummaryView.as_view(), name="summary"),
    path("top-products/", api.TopProductsView.as_view(), name="top-products"),
    path("bottom-products/", api.BottomProductsView.as_view(), name="bottom-products"),
    path("revenue/", api.RevenueView.as_view(), name="revenue"),
    path("compare/", api.CompareView.as_view(), name="compare"),
    path("by-category/", api.ByCategoryView.as_view(), name="by-category"),
    path("by-channel/", api.ByChannelView.as_view(), name="by-channel"),
    path("category-leaders/", api.CategoryLeadersView.as_view(), name="category-leaders"),
    path("discounts/", api.DiscountsView.as_view(), name="discounts"),
    path("abc/", api.AbcView.as_view(), name="abc"),
    path("inventory/", api.InventoryView.as_view(), name="inventory"),
    path("returns/", api.ReturnsView.as_view(), name="returns"),
    path("customers/summary/", api.CustomerSummaryView.as_view(), name="customers-summary"),
    path("customers/cohorts/", api.CustomerCohortsView.as_view(), name="customers-cohorts"),
    path("customers/rfm/", api.CustomerRfmView.as_view(), name="customers-rfm"),
    path("lines/", lines.SalesLinesView.as_view(), name="lines"),
    path("targets/", TargetProgressView.as_view(), name="targets"),
]
