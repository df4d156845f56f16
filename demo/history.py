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
from datetime import datetime
from decimal import Decimal
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
from .discounts import DemoCodes
from .timeline import (
    DELIVERED,
    OUTCOME_WEIGHTS,
    PARTLY_REFUNDED,
    Outcome,
    order_timeline,
    placement_times,
    showcase_orders,
)

BATCH_ORDERS = 2000  # orders computed and written per round trip batch

Log = Callable[[str], None]


@dataclass(frozen=True)
class DemoCustomer:
    id: int
    address: dict[str, str]
    weight: float  # how often this customer orders, relative to the others
    joined: datetime  # no order before this


@dataclass(frozen=True)
class DemoProduct:
    id: int
    sku: str
    name: str
    category_id: int
    price: Decimal
    cost_price: Decimal


CHANNEL_WEIGHTS = {"web": 60, "retail": 25, "phone": 15}
LINES_PER_ORDER = {1: 10, 2: 14, 3: 18, 4: 18, 5: 16, 6: 13, 7: 11}  # about 4 on average
UNITS_PER_LINE = {1: 60, 2: 22, 3: 10, 4: 5, 5: 3}


# ---------------------------------------------------------------------------- orders


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
        self,
        *,
        rng: Random,
        products: list[DemoProduct],
        customers: list[DemoCustomer],
        staff: list,
        codes: DemoCodes | None,
        start: datetime,
    ):
        self.rng = rng
        # Popularity falls off with rank (a long tail), over a shuffled catalog.
        ranked = rng.sample(products, len(products))
        self.products = Picker(rng, ranked, [1 / (rank + 3) ** 0.9 for rank in range(len(ranked))])
        self.product_count = len(products)
        # Customers in the order they joined: those who have joined by time t are a prefix.
        customers = sorted(customers, key=lambda customer: customer.joined)
        self.customers = Picker(rng, customers, [customer.weight for customer in customers])
        self.joined = [customer.joined for customer in customers]
        self.welcomed = bisect_right(self.joined, start)  # who joined later orders soon after
        self.codes, self.coded = codes, 0
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
        customer, first = self._customer(placed)
        # A new customer's first order goes through, so they count as new in the month they joined.
        outcome = showcase or (DELIVERED if first else self.outcomes.pick())
        # ... and is paid before `now` even when placed in the last hours, or the newest month
        # would show no new customer.
        timeline = order_timeline(rng, outcome, placed, now, complete=showcase is not None or first)
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
        discount, eligible = pricing.ZERO, None
        use = self.codes and self.codes.draw(
            at=placed,
            channel_id=channel_id,
            customer_id=customer.id,
            lines=[(p.category_id, total) for (p, _), total in zip(lines, line_totals, strict=True)],
        )
        if use:  # a code, or else a staff discount: never both
            discount, eligible = use.discount, use.eligible
            self.coded += 1
        elif placed_by is not None and rng.random() < 0.1:  # staff sometimes give 5 or 10 % off
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
                "discount_code_id": use.code.id if use else None,
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
            eligible=eligible,
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
                discount_code_id=use.code.id if use else None,
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

    def _customer(self, placed: datetime) -> tuple[DemoCustomer, bool]:
        """Who places an order at `placed`: someone who has joined by then, the next newcomer
        first (True: it is their first order)."""
        joined = bisect_right(self.joined, placed)
        if self.welcomed < joined:
            self.welcomed += 1
            return self.customers.items[self.welcomed - 1], True
        return self.customers.pick(among=joined), False

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
    codes: DemoCodes | None = None,
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
    if min(customer.joined for customer in customers) > start:
        raise ValueError("Someone must have joined by the start of the history to place its first order.")
    history = _OrderHistory(
        rng=rng, products=products, customers=customers, staff=staff, codes=codes, start=start
    )
    placed_times = placement_times(rng, count, start, now)
    showcase = showcase_orders(placed_times, now)
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
        "orders_with_a_discount_code": history.coded,
    }
