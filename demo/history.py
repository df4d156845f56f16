"""Demo order history: who orders what, how much, and what happened next, drawn one order at a
time and written in batches with the money of `orders.pricing` and the rows of `orders.ledger`.

A benchmark database needs about a million order lines, and `orders.services.order_place` plus
one `order_set_status` per step would take hours; so orders, items, status history, refunds and
sales records are computed in memory and bulk-loaded (`demo.bulk`). Historical orders take no
stock: a product's stock is its one opening movement, so `Stock.quantity` still equals the sum
of its ledger."""

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from random import Random
from time import perf_counter

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection

from catalog.models import SalesChannel
from orders import pricing
from orders.ledger import SoldLine, refund_rows, reversal_rows, sale_rows
from orders.models import (
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
    Refund,
    RefundLine,
    RefundReason,
    SalesRecord,
)
from orders.pricing import line_sales

from .bulk import Picker, Row, insert_rows, next_id

BATCH_ORDERS = 2000  # orders computed and written per round trip batch

Log = Callable[[str], None]


@dataclass(frozen=True)
class DemoCustomer:
    id: int
    address: dict[str, str]
    weight: float  # how often this customer orders, relative to the others


@dataclass(frozen=True)
class DemoProduct:
    id: int
    sku: str
    name: str
    category_id: int
    price: Decimal
    cost_price: Decimal


Log = Callable[[str], None]


CHANNEL_WEIGHTS = {"web": 60, "retail": 25, "phone": 15}
LINES_PER_ORDER = {1: 10, 2: 14, 3: 18, 4: 18, 5: 16, 6: 13, 7: 11}  # about 4 on average
UNITS_PER_LINE = {1: 60, 2: 22, 3: 10, 4: 5, 5: 3}


# ---------------------------------------------------------------------------- orders


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
)


def _step_seconds(rng: Random, from_status: str, to_status: str) -> float:
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


def _timeline(
    rng: Random, outcome: Outcome, placed: datetime, now: datetime, *, complete: bool
) -> list[tuple[str, datetime]]:
    """[(status, time)] from placement on. History in progress stops at `now`; a showcase
    order (`complete`) squeezes its whole path in before `now` instead."""
    steps, previous, offsets = [], OrderStatus.PENDING, [0.0]
    for status in outcome.path:
        offsets.append(offsets[-1] + _step_seconds(rng, previous, status))
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


def _showcase_orders(placed_times: list[datetime], now: datetime) -> dict[int, Outcome]:
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


def _placement_times(rng: Random, count: int, start: datetime, now: datetime) -> list[datetime]:
    """Order times over the history, oldest first: growing, busier at weekends and year end,
    mostly in the daytime."""
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


@dataclass
class _Batch:
    orders: list[Row] = field(default_factory=list)
    items: list[Row] = field(default_factory=list)
    changes: list[Row] = field(default_factory=list)
    sales: list[Row] = field(default_factory=list)
    refunds: list[Row] = field(default_factory=list)
    refund_lines: list[Row] = field(default_factory=list)

    def save(self, counts: dict[str, int]) -> None:
        for name, model in (
            ("orders", Order),
            ("items", OrderItem),
            ("changes", OrderStatusChange),
            ("sales", SalesRecord),
            ("refunds", Refund),
            ("refund_lines", RefundLine),
        ):
            rows = getattr(self, name)
            insert_rows(model, rows)
            counts[name] += len(rows)


class _OrderHistory:
    """Draws orders one at a time into a batch: who, what, how much, and what happened next."""

    def __init__(
        self, *, rng: Random, products: list[DemoProduct], customers: list[DemoCustomer], staff: list
    ):
        self.rng = rng
        # Popularity falls off with rank (a long tail), over a shuffled catalog.
        ranked = rng.sample(products, len(products))
        self.products = Picker(rng, ranked, [1 / (rank + 3) ** 0.9 for rank in range(len(ranked))])
        self.product_count = len(products)
        self.customers = Picker(rng, customers, [customer.weight for customer in customers])
        channel_ids = dict(SalesChannel.objects.filter(code__in=CHANNEL_WEIGHTS).values_list("code", "pk"))
        self.channels = Picker(
            rng, [(code, channel_ids[code]) for code in CHANNEL_WEIGHTS], list(CHANNEL_WEIGHTS.values())
        )
        self.line_counts = Picker(rng, list(LINES_PER_ORDER), list(LINES_PER_ORDER.values()))
        self.units = Picker(rng, list(UNITS_PER_LINE), list(UNITS_PER_LINE.values()))
        self.outcomes = Picker(rng, [o for o, _ in OUTCOME_WEIGHTS], [w for _, w in OUTCOME_WEIGHTS])
        self.staff_ids = [user.pk for user in staff]
        self.next_order_id, self.next_item_id = next_id(Order), next_id(OrderItem)
        self.next_refund_id = next_id(Refund)

    def add(self, batch: _Batch, *, placed: datetime, now: datetime, showcase: Outcome | None) -> None:
        rng = self.rng
        outcome = showcase or self.outcomes.pick()
        timeline = _timeline(rng, outcome, placed, now, complete=showcase is not None)
        customer = self.customers.pick()
        channel_code, channel_id = self.channels.pick()
        placed_by = rng.choice(self.staff_ids) if channel_code != "web" else None

        chosen: dict[int, DemoProduct] = {}
        wanted = min(self.line_counts.pick(), self.product_count)
        while len(chosen) < wanted:
            product = self.products.pick()
            chosen[product.id] = product
        lines = [(product, self.units.pick()) for product in chosen.values()]
        if outcome is PARTLY_REFUNDED:
            lines[0] = (lines[0][0], max(lines[0][1], 2))
        line_totals = [pricing.line_total(unit_price=p.price, quantity=q) for p, q in lines]
        discount = pricing.ZERO
        if placed_by is not None and rng.random() < 0.1:  # staff sometimes give 5 or 10 % off
            discount = pricing.to_cents(sum(line_totals) * Decimal(rng.choice(("0.05", "0.10"))))
        totals = pricing.order_totals(line_totals=line_totals, discount=discount)

        order_id = self.next_order_id
        self.next_order_id += 1
        batch.orders.append(
            {
                "id": order_id,
                "number": f"SO-{placed:%Y}-{order_id:06d}",
                "customer_id": customer.id,
                "placed_by_id": placed_by,
                "channel_id": channel_id,
                "status": timeline[-1][0],
                "subtotal": totals.subtotal,
                "discount": totals.discount,
                "tax": totals.tax,
                "shipping": totals.shipping,
                "total": totals.total,
                "currency": settings.SALES_CURRENCY,
                "shipping_address": customer.address,
                "created_at": placed,
                "updated_at": timeline[-1][1],
                "confirmation_sent_at": placed,  # history: confirmed long ago, nothing to send
            }
        )
        # As orders.services places and pays an order: each line's discount share, then its sale.
        sales = line_sales(
            lines=[
                (quantity, amount, product.cost_price)
                for (product, quantity), amount in zip(lines, line_totals, strict=True)
            ],
            discount=totals.discount,
        )
        items = []
        for (product, quantity), amount, sale in zip(lines, line_totals, sales, strict=True):
            items.append(
                {
                    "id": self.next_item_id,
                    "order_id": order_id,
                    "product_id": product.id,
                    "sku": product.sku,
                    "name": product.name,
                    "quantity": quantity,
                    "unit_price": product.price,
                    "unit_cost": product.cost_price,
                    "line_total": amount,
                    "discount": sale.discount,
                }
            )
            self.next_item_id += 1
        batch.items.extend(items)

        previous = ""
        for status, at in timeline:
            if status == OrderStatus.PENDING:
                by = placed_by or customer.id
            elif status == OrderStatus.CANCELLED and previous == OrderStatus.PENDING and rng.random() < 0.6:
                by = customer.id  # customers cancel most unpaid orders themselves
            else:
                by = rng.choice(self.staff_ids)
            batch.changes.append(
                {
                    "order_id": order_id,
                    "from_status": previous,
                    "to_status": status,
                    "by_id": by,
                    "created_at": at,
                }
            )
            previous = status

        reached = dict(timeline)
        if OrderStatus.PAID not in reached:
            return

        # The ledger's own builders, as orders.services uses them on payment, cancellation
        # after payment and refund.
        sold = [
            SoldLine(
                order_id=order_id,
                order_item_id=item["id"],
                product_id=item["product_id"],
                category_id=chosen[item["product_id"]].category_id,
                channel_id=channel_id,
                customer_id=customer.id,
                quantity=item["quantity"],
                unit_cost=item["unit_cost"],
                revenue=sale.revenue,
                discount=sale.discount,
            )
            for item, sale in zip(items, sales, strict=True)
        ]
        paid = sale_rows(sold, at=reached[OrderStatus.PAID])
        batch.sales.extend(paid)
        if OrderStatus.CANCELLED in reached:
            batch.sales.extend(reversal_rows(paid, at=reached[OrderStatus.CANCELLED]))
        refunded = [reached.get(status) for status in (OrderStatus.REFUNDED, OrderStatus.PARTIALLY_REFUNDED)]
        if any(refunded):
            everything, refunded_at = refunded[0] is not None, refunded[0] or refunded[1]
            quantities = [item["quantity"] if everything else 0 for item in items]
            quantities[0] = items[0]["quantity"] if everything else 1
            shares = pricing.refund_shares(
                lines=[pricing.RefundableLine(line.quantity, line.revenue) for line in sold],
                order_tax=totals.tax,
                quantities=quantities,
            )
            self._refund(batch, order_id, items, quantities, shares, at=refunded_at, by=by)
            batch.sales.extend(
                refund_rows(
                    [
                        (line, quantity, revenue)
                        for line, quantity, (revenue, _) in zip(sold, quantities, shares, strict=True)
                        if quantity
                    ],
                    at=refunded_at,
                    closes_order=everything,
                )
            )

    def _refund(
        self,
        batch: _Batch,
        order_id: int,
        items: list[Row],
        quantities: list[int],
        shares: list[tuple[Decimal, Decimal]],
        *,
        at: datetime,
        by: int,
    ) -> None:
        """A refund of `quantities` of the order's lines, as `orders.services.order_refund`
        writes it; history moves no stock (each product's stock is one opening movement)."""
        refund_id = self.next_refund_id
        self.next_refund_id += 1
        lines = [
            {
                "refund_id": refund_id,
                "order_item_id": item["id"],
                "product_id": item["product_id"],
                "sku": item["sku"],
                "quantity": quantity,
                "revenue": revenue,
                "tax": tax,
                "amount": revenue + tax,
            }
            for item, quantity, (revenue, tax) in zip(items, quantities, shares, strict=True)
            if quantity
        ]
        batch.refunds.append(
            {
                "id": refund_id,
                "order_id": order_id,
                "amount": sum(line["amount"] for line in lines),
                "tax": sum(line["tax"] for line in lines),
                "restocked": False,
                "reason": self.rng.choice(RefundReason.values),
                "note": "",
                "by_id": by,
                "created_at": at,
            }
        )
        batch.refund_lines.extend(lines)


def demo_orders_create(
    *,
    count: int,
    rng: Random,
    products: list[DemoProduct],
    customers: list[DemoCustomer],
    staff: list,
    start: datetime,
    now: datetime,
    log: Log,
) -> dict[str, int]:
    """Orders over [start, now] with items, status history and sales records, in bulk.

    Ids are assigned here (and the sequences moved past them afterwards) so that items can
    point at their order and the number `SO-<year>-<id>` is known before the insert, with
    no second pass over the rows. Seed a database nobody else is writing to meanwhile.
    """
    counts = {"orders": 0, "items": 0, "changes": 0, "sales": 0, "refunds": 0, "refund_lines": 0}
    if not count:
        return counts
    if not products or not customers:
        raise ValueError("Orders need at least one product and one customer.")
    history = _OrderHistory(rng=rng, products=products, customers=customers, staff=staff)
    placed_times = _placement_times(rng, count, start, now)
    showcase = _showcase_orders(placed_times, now)
    report_every = max(count // 10, BATCH_ORDERS)
    started = perf_counter()

    if connection.vendor == "postgresql":
        # Check foreign keys batch by batch instead of queueing millions of deferred checks
        # (Django's foreign keys are DEFERRABLE INITIALLY DEFERRED) for the commit.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for batch_start in range(0, count, BATCH_ORDERS):
        batch = _Batch()
        for index in range(batch_start, min(batch_start + BATCH_ORDERS, count)):
            history.add(batch, placed=placed_times[index], now=now, showcase=showcase.get(index))
        batch.save(counts)
        if counts["orders"] == count or counts["orders"] % report_every < BATCH_ORDERS:
            log(
                f"    {counts['orders']:,}/{count:,} orders, {counts['items']:,} lines "
                f"({perf_counter() - started:.1f} s)"
            )

    # Explicit ids leave PostgreSQL's sequences behind; move them past the new rows.
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Order, OrderItem, Refund]):
            cursor.execute(statement)
    return {
        "orders": counts["orders"],
        "order_items": counts["items"],
        "status_changes": counts["changes"],
        "sales_records": counts["sales"],
        "refunds": counts["refunds"],
    }
