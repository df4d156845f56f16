from django.urls import URLPattern, path

from analytics.views.line_reports import LinesPageView
from analytics.views.reports import ReportPageView
from analytics.views.subscriptions import subscribe, unsubscribe

app_name = "reports"


def page(route: str, name: str) -> URLPattern:
    """The report page `name` of `analytics.pages` at `route`."""
    return path(route, ReportPageView.as_view(url_name=name), name=name)


urlpatterns = [
    page("", "overview"),
    page("products/", "products"),
    page("revenue/", "revenue"),
    page("categories/", "categories"),
    page("channels/", "channels"),
    page("compare/", "compare"),
    path("<slug:report>/subscribe/", subscribe, name="subscribe"),
    path("subscriptions/<int:pk>/unsubscribe/", unsubscribe, name="unsubscribe"),
    page("discounts/", "discounts"),
    page("customers/", "customers"),
    page("rfm/", "rfm"),
    page("abc/", "abc"),
    page("inventory/", "inventory"),
    path("lines/", LinesPageView.as_view(url_name="lines"), name="lines"),
    page("targets/", "targets"),
]
