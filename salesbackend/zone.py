"""The business's own day: `SALES_TIME_ZONE` (an IANA name, default UTC).

Every day, week, month and year boundary of the sales (analytics filters and presets, the
rollups' days, the dashboard's "today", report e-mail hours) is taken in this zone; stored
timestamps stay UTC. Read the setting at each call, not at import, so a test (or a process
with another environment) sees the zone it set.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def sales_zone() -> ZoneInfo:
    """The zone whose days the business counts in."""
    return _zone(settings.SALES_TIME_ZONE)


def sales_zone_name() -> str:
    return settings.SALES_TIME_ZONE


def sales_today() -> date:
    """Today, where the business is."""
    return sales_date(timezone.now())


def sales_date(moment: datetime) -> date:
    """The business's day of an aware moment (a sale at 23:30 in Los Angeles is that day)."""
    return moment.astimezone(sales_zone()).date()


def sales_time_zone(request: HttpRequest) -> dict[str, str]:
    """Template context: `SALES_TIME_ZONE`, for pages that name the zone of their days and hours."""
    return {"SALES_TIME_ZONE": settings.SALES_TIME_ZONE}


def sales_day_start(day: date) -> datetime:
    """The first instant of the business's `day`, in UTC: its local midnight (or, where a
    clock change skips midnight, the first local time that exists)."""
    return datetime.combine(day, time.min, tzinfo=sales_zone()).astimezone(UTC)


class ApiSpeaksUtcMiddleware:
    """The JSON API's timestamps stay UTC (`...Z`), and a timestamp sent without an offset is
    read as UTC, whatever SALES_TIME_ZONE is: clients keep one contract. Pages and the admin
    show Django's TIME_ZONE, which follows SALES_TIME_ZONE. (Business days never come from the
    current zone: they use `sales_zone()`, so the API's dates are the business's.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        with timezone.override(UTC):
            return self.get_response(request)
