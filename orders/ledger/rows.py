"""The shape of every sales-ledger row, built in one place.

A payment adds one sale row per order line; a cancellation after payment adds a negative copy
of each sale row; a refund adds negative rows for the units it names. Order services and the
demo loader both build their rows here, so a row means the same whoever wrote it.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from orders.pricing import ZERO

Row = dict[str, Any]  # {SalesRecord attname: value}, as `sales_ledger_append` takes them


class SoldLine(NamedTuple):
    """One paid order line, as the ledger needs it: the keys analytics filter by and the
    line's net revenue (after its share of the order discount)."""

    order_id: int
    order_item_id: int
    product_id: int
    category_id: int | None
    channel_id: int
    customer_id: int
    discount_code_id: int | None  # the order's code: the discounts report groups by it
    quantity: int
    unit_cost: Decimal
    revenue: Decimal
    discount: Decimal


def sold_line(order: Any, item: Any) -> SoldLine:
    """The `SoldLine` of an order's item (`item.product` loaded: its category is the sale's)."""
    return SoldLine(
        order_id=order.pk,
        order_item_id=item.pk,
        product_id=item.product_id,
        category_id=item.product.category_id,
        channel_id=order.channel_id,
        customer_id=order.customer_id,
        discount_code_id=order.discount_code_id,
        quantity=item.quantity,
        unit_cost=item.unit_cost,
        revenue=item.line_total - item.discount,
        discount=item.discount,
    )


def _row(
    line: SoldLine | Mapping[str, Any],
    *,
    quantity: int,
    revenue: Decimal,
    cost: Decimal,
    discount: Decimal,
    at: datetime,
    reverses_order: bool,
) -> Row:
    keys = line._asdict() if isinstance(line, SoldLine) else line
    return {
        "order_id": keys["order_id"],
        "order_item_id": keys["order_item_id"],
        "product_id": keys["product_id"],
        "category_id": keys["category_id"],
        "channel_id": keys["channel_id"],
        "customer_id": keys["customer_id"],
        "discount_code_id": keys["discount_code_id"],
        "quantity": quantity,
        "revenue": revenue,
        "cost": cost,
        "discount": discount,
        "sold_at": at,
        "reverses_order": reverses_order,
    }


def sale_rows(lines: Iterable[SoldLine], *, at: datetime) -> list[Row]:
    """A payment: one row per line, revenue net of the line's discount share, cost at the
    unit cost the order item snapshotted."""
    return [
        _row(
            line,
            quantity=line.quantity,
            revenue=line.revenue,
            cost=line.unit_cost * line.quantity,
            discount=line.discount,
            at=at,
            reverses_order=False,
        )
        for line in lines
    ]


def reversal_rows(sales: Iterable[Mapping[str, Any]], *, at: datetime) -> list[Row]:
    """A cancellation after payment: a negative copy of each sale row (as `sale_rows` built
    them, or read back from the ledger), which gives back revenue, not discount."""
    return [
        _row(
            sale,
            quantity=-sale["quantity"],
            revenue=-sale["revenue"],
            cost=-sale["cost"],
            discount=ZERO,
            at=at,
            reverses_order=True,
        )
        for sale in sales
    ]


def refund_rows(
    refunds: Sequence[tuple[SoldLine, int, Decimal]], *, at: datetime, closes_order: bool
) -> list[Row]:
    """A refund: negative rows for `(line, units, revenue)` of each refunded line, the revenue
    as `pricing.refund_shares` split it; `closes_order` when nothing of the order is left sold."""
    return [
        _row(
            line,
            quantity=-units,
            revenue=-revenue,
            cost=-(line.unit_cost * units),
            discount=ZERO,
            at=at,
            reverses_order=closes_order,
        )
        for line, units, revenue in refunds
    ]


# What `reversal_rows` needs of a sale row read back from the ledger (`.values(*SALE_FIELDS)`).
SALE_FIELDS = (*SoldLine._fields[:7], "quantity", "revenue", "cost")
