"""The admin index with the dashboard above the apps: today's and this month's sales against the
same span before, pending orders, low stock and the latest orders, each linking to its changelist
or report."""

from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from analytics.selectors import admin_dashboard
from analytics.selectors.dashboard import KeyFigure
from salesbackend.admin import money_display
from salesbackend.zone import sales_day_start, sales_today, sales_zone

# Per figure: its label, what it is compared with, and where it leads.
FIGURES = {
    "revenue_today": ("Revenue today", "yesterday", "reports:overview", "?period=today"),
    "orders_today": ("Orders today", "yesterday", "admin:orders_order_changelist", "today"),
    "revenue_month": (
        "Revenue this month",
        "same days last month",
        "reports:overview",
        "?period=month_to_date",
    ),
    "orders_month": ("Orders this month", "same days last month", "admin:orders_order_changelist", "month"),
}


def _placed_since(day: date) -> str:
    """The order changelist's filter for orders placed since the start of the business's `day`."""
    return "?" + urlencode({"created_at__gte": str(sales_day_start(day).astimezone(sales_zone()))})


def _change(value: Decimal | int, previous: Decimal | int) -> tuple[str, str]:
    """The change against the span before, as a mark class ("up", "down", "flat") and words."""
    if value == previous:
        return "flat", "no change"
    direction = "up" if value > previous else "down"
    if not previous:
        return direction, "new"
    return direction, f"{(Decimal(value) - Decimal(previous)) / Decimal(previous) * 100:+,.1f} %"


def _shown(figure: KeyFigure, today: date) -> dict:
    label, compared_with, url_name, query = FIGURES[figure["name"]]
    is_money = figure["name"].startswith("revenue")
    show = money_display if is_money else (lambda count: f"{count:,}")
    direction, change = _change(figure["value"], figure["previous"])
    return {
        "label": label,
        "value": show(figure["value"]),
        "previous": show(figure["previous"]),
        "compared_with": compared_with,
        "direction": direction,
        "change": change,
        "url": reverse(url_name)
        + {"today": _placed_since(today), "month": _placed_since(today.replace(day=1))}.get(query, query),
    }


def admin_index(request: HttpRequest) -> HttpResponse:
    """Django's admin index (same login and permissions) with the dashboard, for staff who may
    read the sales reports. Not cached: its six indexed queries cost less than keeping a copy
    current, and an order placed a moment ago is on it at the next load."""
    extra = {}
    if request.user.has_perm("analytics.view_sales_reports"):
        today = sales_today()
        dashboard = admin_dashboard(today=today)
        extra["dashboard"] = {
            **dashboard,
            "figures": [_shown(figure, today) for figure in dashboard["figures"]],
            "latest_orders": [
                {**order, "total": money_display(order["total"], order["currency"])}
                for order in dashboard["latest_orders"]
            ],
        }
    return admin.site.index(request, extra_context=extra)
