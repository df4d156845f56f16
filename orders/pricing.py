"""Order money, in one place: line totals, subtotal, discount, tax, shipping, total.

Every amount is a Decimal rounded half up to cents. Tax is charged on the discounted
subtotal; shipping is free from a threshold of the discounted subtotal, else a flat fee.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.conf import settings

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount the money columns hold (12 digits, 2 of them decimals).
MAX_AMOUNT = Decimal("9999999999.99")


def to_cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def line_total(*, unit_price: Decimal, quantity: int) -> Decimal:
    return to_cents(unit_price * quantity)


@dataclass(frozen=True)
class OrderTotals:
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    shipping: Decimal
    total: Decimal


def subtotal_of(line_totals: Sequence[Decimal]) -> Decimal:
    return to_cents(sum(line_totals, ZERO))


def order_totals(*, line_totals: Sequence[Decimal], discount: Decimal = ZERO) -> OrderTotals:
    """Totals of an order whose lines cost `line_totals`. The caller checks 0 <= discount <= subtotal."""
    subtotal = subtotal_of(line_totals)
    discount = to_cents(discount)
    taxable = subtotal - discount
    tax = to_cents(taxable * settings.SALES_TAX_RATE)
    shipping = ZERO if taxable >= settings.FREE_SHIPPING_THRESHOLD else to_cents(settings.SHIPPING_FLAT_FEE)
    return OrderTotals(
        subtotal=subtotal, discount=discount, tax=tax, shipping=shipping, total=taxable + tax + shipping
    )


def allocate_discount(*, line_totals: Sequence[Decimal], discount: Decimal) -> list[Decimal]:
    """Split an order discount over its lines in proportion to their totals, in whole cents.

    Largest remainder: every share is rounded down, then the cents left over go to the lines
    that lost most by rounding. The shares add up to the discount exactly and no share
    exceeds its line, so ledger revenue sums to what the customer paid for the goods.
    """
    subtotal = sum(line_totals, ZERO)
    if not discount or not subtotal:
        return [ZERO for _ in line_totals]
    exact = [discount * amount / subtotal for amount in line_totals]
    shares = [share.quantize(CENT, rounding=ROUND_DOWN) for share in exact]
    leftover_cents = int((to_cents(discount) - sum(shares, ZERO)) / CENT)
    by_rounding_loss = sorted(range(len(shares)), key=lambda i: exact[i] - shares[i], reverse=True)
    for index in by_rounding_loss[:leftover_cents]:
        shares[index] += CENT
    return shares


def code_discount(*, kind: str, value: Decimal, eligible_total: Decimal) -> Decimal:
    """What a discount code takes off the total of its eligible lines: `percent` of it, half up
    to cents, or a `fixed` amount capped at it (a code never makes lines cost less than 0)."""
    if kind == "percent":
        return min(to_cents(eligible_total * value / 100), eligible_total)
    return min(to_cents(value), eligible_total)


@dataclass(frozen=True)
class RefundableLine:
    """An order line as a refund sees it: its units, its net revenue (after its discount
    share), and what earlier refunds of it took back."""

    quantity: int
    net: Decimal
    refunded_quantity: int = 0
    refunded_revenue: Decimal = ZERO
    refunded_tax: Decimal = ZERO


def refund_shares(
    *, lines: Sequence[RefundableLine], order_tax: Decimal, quantities: Sequence[int]
) -> list[tuple[Decimal, Decimal]]:
    """(revenue, tax) to pay back for `quantities[i]` more units of each line: pro rata of the
    line's net revenue and of its share of the order's tax (split by net revenue in whole
    cents), half up; the last units of a line take what is left, so a line refunded in steps
    pays back exactly its net revenue and tax share."""
    taxes = allocate_discount(line_totals=[line.net for line in lines], discount=order_tax)
    shares = []
    for line, tax, quantity in zip(lines, taxes, quantities, strict=True):
        if not quantity:
            shares.append((ZERO, ZERO))
        elif line.refunded_quantity + quantity == line.quantity:
            shares.append((line.net - line.refunded_revenue, tax - line.refunded_tax))
        else:
            shares.append(
                (to_cents(line.net * quantity / line.quantity), to_cents(tax * quantity / line.quantity))
            )
    return shares


@dataclass(frozen=True)
class LineSale:
    """What one order line adds to the sales ledger when it is paid."""

    quantity: int
    discount: Decimal  # the line's share of the order discount
    revenue: Decimal  # the line total less that share
    cost: Decimal


def line_sales(
    *,
    lines: Sequence[tuple[int, Decimal, Decimal]],
    discount: Decimal,
    eligible: Sequence[bool] | None = None,
) -> list[LineSale]:
    """The sales of an order's lines, given as (quantity, line total, unit cost): the order
    discount is split in whole cents over the `eligible` lines (all by default; a discount
    code's lines otherwise) by `allocate_discount`, so the revenues add up to what the
    customer paid for the goods. Order placement and the demo loader store each line's share
    from it."""
    totals = [
        total if eligible is None or eligible[index] else ZERO for index, (_, total, _) in enumerate(lines)
    ]
    shares = allocate_discount(line_totals=totals, discount=discount)
    return [
        LineSale(quantity=quantity, discount=share, revenue=total - share, cost=unit_cost * quantity)
        for (quantity, total, unit_cost), share in zip(lines, shares, strict=True)
    ]
