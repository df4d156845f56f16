"""The admin index with the dashboard above the apps: today's and this month's sales, pending
orders, low stock and the latest orders, each linking to its changelist or report."""

from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from analytics.selectors import admin_dashboard

DASHBOARD_CACHE_SECONDS = 60


def admin_index(request: HttpRequest) -> HttpResponse:
    """Django's admin index (same login and permissions) with the dashboard: one cached set
    of figures for a minute, for staff who may read the sales reports."""
    extra = {}
    if request.user.has_perm("analytics.view_sales_reports"):
        today = timezone.now().date()
        extra["dashboard"] = cache.get_or_set(
            f"analytics:admin-dashboard:{today}",
            lambda: admin_dashboard(today=today),
            DASHBOARD_CACHE_SECONDS,
        )
        extra["currency"] = settings.SALES_CURRENCY
    return admin.site.index(request, extra_context=extra)
