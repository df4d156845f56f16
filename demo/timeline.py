"""When demo orders are placed and what happens to them next: placement times over the
history (growing, busier at weekends and year end), each order's outcome and the times of its
status changes, and the showcase orders that put every status (and recent refunds) on screen."""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from random import Random

from orders.models import OrderStatus
from salesbackend.zone import sales_zone


@dataclass(frozen=True)
class Outcome:
    """Where an order's life ends up: the statuses after `pending`, in order."""

    name: str
    path: tuple[str, ...]


DELIVERED = Outcome("delivered", (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED))
REFUNDED = Outcome("refunded", (*DELIVERED.path, OrderStatus.REFUNDED))
# One unit of the first line comes back (the order is drawn with at least two of it).
PARTLY_REFUNDED = Outcome("partially refunded", (*DELIVERED.path, OrderStatus.PARTIALLY_REFUNDED))
CANCELLED_UNPAID = Outcome("cancelled", (OrderStatus.CANCELLED,))
CANCELLED_PAID = Outcome("cancelled after payment", (OrderStatus.PAID, OrderStatus.CANCELLED))
OUTCOME_WEIGHTS = (
    (DELIVERED, 85),
    (REFUNDED, 4),
    (PARTLY_REFUNDED, 2),
    (CANCELLED_UNPAID, 6),
    (CANCELLED_PAID, 3),
)
HOUR, DAY = 3600.0, 86400.0
# One recent order ends in each status, so even a tiny demo shows every status; each is
# placed long enough ago (in days) for its whole path to have happened.
SHOWCASE = (
    (Outcome("pending", ()), 0),
    (Outcome("paid", (OrderStatus.PAID,)), 0),
    (Outcome("shipped", (OrderStatus.PAID, OrderStatus.SHIPPED)), 8),
    (DELIVERED, 15),
    (CANCELLED_UNPAID, 3),
    (CANCELLED_PAID, 3),
    (REFUNDED, 40),
    (PARTLY_REFUNDED, 40),
    # and one of each refunded within the default report period, the last 30 days
    (REFUNDED, 12),
    (PARTLY_REFUNDED, 12),
)


def step_seconds(rng: Random, from_status: str, to_status: str) -> float:
    """How long an order waits before moving on: payment in hours (bank transfers in days)..."""
    if to_status == OrderStatus.PAID:
        return rng.uniform(DAY, 5 * DAY) if rng.random() < 0.1 else rng.expovariate(1 / (2 * HOUR))
    if to_status == OrderStatus.SHIPPED:
        return rng.uniform(0.3 * DAY, 3 * DAY)
    if to_status == OrderStatus.DELIVERED:
        return rng.uniform(DAY, 6 * DAY)
    if to_status in (OrderStatus.REFUNDED, OrderStatus.PARTIALLY_REFUNDED):
        return rng.uniform(3 * DAY, 25 * DAY)
    if from_status == OrderStatus.PENDING:  # cancelled before paying
        return rng.uniform(0.5 * HOUR, 72 * HOUR)
    return rng.uniform(HOUR, 48 * HOUR)  # cancelled after paying, before shipping


def order_timeline(
    rng: Random, outcome: Outcome, placed: datetime, now: datetime, *, complete: bool
) -> list[tuple[str, datetime]]:
    """[(status, time)] from placement on. History in progress stops at `now`; a showcase
    order (`complete`) squeezes its whole path in before `now` instead."""
    steps, previous, offsets = [], OrderStatus.PENDING, [0.0]
    for status in outcome.path:
        offsets.append(offsets[-1] + step_seconds(rng, previous, status))
        steps.append(status)
        previous = status
    available = (now - placed).total_seconds()
    if complete and offsets[-1] > available:
        offsets = [offset * available / offsets[-1] for offset in offsets]
    return [
        (status, placed + timedelta(seconds=offset))
        for status, offset in zip((OrderStatus.PENDING, *steps), offsets, strict=True)
        if offset <= available
    ]


def showcase_orders(placed_times: list[datetime], now: datetime) -> dict[int, Outcome]:
    """{order index: outcome} for the showcase: the newest order old enough for each outcome
    (or, in a history too short, any free order)."""
    chosen: dict[int, Outcome] = {}
    for outcome, age_days in sorted(SHOWCASE, key=lambda showcase: -showcase[1]):
        old_enough = bisect_right(placed_times, now - timedelta(days=age_days))
        candidates = [*range(old_enough - 1, -1, -1), *range(len(placed_times) - 1, old_enough - 1, -1)]
        index = next((i for i in candidates if i not in chosen), None)
        if index is not None:
            chosen[index] = outcome
    return chosen


def placement_times(rng: Random, count: int, start: datetime, now: datetime) -> list[datetime]:
    """Order times over the history, oldest first: growing, busier at weekends and year end,
    mostly in the business's daytime (SALES_TIME_ZONE)."""
    zone = sales_zone()
    start, now = start.astimezone(zone), now.astimezone(zone)
    days = (now - start).days + 1
    day_weights = []
    for day in range(days):
        date = (start + timedelta(days=day)).date()
        weight = 1 + day / days  # the business doubles over the period
        weight *= 1.25 if date.weekday() >= 5 else 1
        weight *= 1.4 if date.month in (11, 12) else 1
        day_weights.append(weight)
    hour_weights = [1, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 12, 13, 12, 11, 11, 12, 13, 14, 14, 12, 8, 4, 2]
    days_drawn = rng.choices(range(days), cum_weights=list(accumulate(day_weights)), k=count)
    hours_drawn = rng.choices(range(24), cum_weights=list(accumulate(hour_weights)), k=count)
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    times = []
    for day, hour in zip(days_drawn, hours_drawn, strict=True):
        placed = midnight + timedelta(days=day, hours=hour, seconds=rng.uniform(0, HOUR))
        if placed >= now:  # today, later than now
            placed = now - timedelta(seconds=rng.uniform(60, 6 * HOUR))
        times.append(max(placed, start))
    return sorted(times)
