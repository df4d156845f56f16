"""How far along a target is on a day, from its actual: pure arithmetic, no models, no queries.

A target's span is [start, end], both days inclusive, phased evenly: each day is worth
amount / days in the span. On `as_of` the elapsed days count `as_of` itself (the day of the
start is one elapsed day), none before the start, all of them after the end.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

MONEY = Decimal("0.01")
RATIO = Decimal("0.0001")


def _rounded(value: Decimal, places: Decimal) -> Decimal:
    rounded = value.quantize(places, rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)  # never "-0.00"


def span_days(start: date, end: date) -> int:
    return (end - start).days + 1


def elapsed_days(start: date, end: date, as_of: date) -> int:
    """Days of the span up to and including `as_of`: 0 before the start, all after the end."""
    return max(0, min((as_of - start).days + 1, span_days(start, end)))


def actual_window(start: date, end: date, as_of: date) -> tuple[date, date] | None:
    """The days whose sales count on `as_of`: start..min(as_of, end); None before the start."""
    if as_of < start:
        return None
    return start, min(as_of, end)


@dataclass(frozen=True)
class Progress:
    attainment: Decimal  # actual / amount, a fraction with 4 places
    expected: Decimal  # what even phasing expects by as_of, 2 places
    pace: Decimal | None  # actual / expected; None before the start
    projected: Decimal | None  # the actual's daily rate over the whole span; None before the start


def progress(*, amount: Decimal, actual: Decimal, start: date, end: date, as_of: date) -> Progress:
    days, elapsed = span_days(start, end), elapsed_days(start, end, as_of)
    expected = amount * elapsed / days
    return Progress(
        attainment=_rounded(actual / amount, RATIO),
        expected=_rounded(expected, MONEY),
        pace=_rounded(actual / expected, RATIO) if elapsed else None,
        projected=_rounded(actual / elapsed * days, MONEY) if elapsed else None,
    )


def phased_amount(amount: Decimal, start: date, end: date, first: date, last: date) -> Decimal | None:
    """The part of a target phased into the days [first, last] (a chart's bucket); None when the
    bucket is outside the span."""
    overlap = (min(end, last) - max(start, first)).days + 1
    if overlap <= 0:
        return None
    return _rounded(amount * overlap / span_days(start, end), MONEY)
