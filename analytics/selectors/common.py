"""What every sales question shares: the validated filters, rounding, the calendar of periods."""

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Func

from salesbackend.zone import sales_day_start

MONEY = Decimal("0.01")
RATIO = Decimal("0.0001")
ZERO = Decimal("0.00")
# A series longer than this is a mistake (daily over decades), not a report.
MAX_PERIODS = 3700


@dataclass(frozen=True)
class SalesFilters:
    """The common filters, validated (see analytics.forms). None means "any"."""

    start: date | None = None
    end: date | None = None
    category_ids: tuple[int, ...] | None = None
    channel_id: int | None = None
    product_id: int | None = None

    def as_key(self) -> dict[str, Any]:
        return asdict(self)


class WindowSum(Func):
    """SUM(...) usable as a window over an aggregate, e.g. SUM(SUM(revenue)) OVER ().

    Django's Sum refuses an aggregate as its argument even inside Window(); SQL allows it
    because window functions run after GROUP BY.
    """

    function = "SUM"
    window_compatible = True


def _rounded(value: Decimal, places: Decimal) -> Decimal:
    rounded = value.quantize(places, rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)  # never "-0.00"


def money(value: Any) -> Decimal:
    """A database sum as cents; SQLite hands decimals back as floats."""
    return _rounded(Decimal(str(value or 0)), MONEY)


def _ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    return _rounded(part / whole, RATIO) if whole else None


def _day_start(day: date) -> datetime:
    """The first instant of the business's `day` (SALES_TIME_ZONE), for filters on timestamps."""
    return sales_day_start(day)


def _as_date(value: date | datetime | None) -> date | None:
    """A period read back through a window function is a timestamp on PostgreSQL."""
    return value.date() if isinstance(value, datetime) else value


def _period_start(day: date, group_by: str) -> date:
    if group_by == "week":
        return day - timedelta(days=day.weekday())  # ISO weeks start on Monday, as TruncWeek does
    if group_by == "month":
        return day.replace(day=1)
    if group_by == "year":
        return day.replace(month=1, day=1)
    return day


def _next_period(period: date, group_by: str) -> date:
    if group_by == "week":
        return period + timedelta(days=7)
    if group_by == "month":
        return (period + timedelta(days=32)).replace(day=1)
    if group_by == "year":
        return period.replace(year=period.year + 1)
    return period + timedelta(days=1)


def _periods(first: date, last: date, group_by: str) -> list[date]:
    periods: list[date] = []
    period = first
    while period <= last:
        if len(periods) == MAX_PERIODS:
            raise ValidationError(
                {
                    "group_by": [
                        f"More than {MAX_PERIODS} periods: group by a longer period or shorten the dates."
                    ]
                }
            )
        periods.append(period)
        period = _next_period(period, group_by)
    return periods
