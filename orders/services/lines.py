"""Order lines as placement and editing read them: products resolved and merged, priced, and
the discount (a staff amount or a code, its row locked) split over them."""

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from catalog.models import Product, SalesChannel
from catalog.selectors import category_descendant_ids, product_orderable
from orders import pricing
from orders.models import (
    DiscountCode,
    Order,
    OrderStatus,
)
from orders.pricing import line_sales

MAX_LINE_QUANTITY = 1000


class PricedLines(NamedTuple):
    line_totals: list[Decimal]
    totals: pricing.OrderTotals
    code: DiscountCode | None
    shares: list[Decimal]  # each line's share of the discount


def price_lines(
    lines: Sequence[tuple[Product, int, Decimal, Decimal]],
    *,
    customer,
    channel: SalesChannel,
    discount: Decimal | None,
    discount_allowed: bool,
    discount_code: str | None,
    order: Order | None = None,
) -> PricedLines:
    """Price (product, quantity, unit price, unit cost) lines for placing or editing `order`:
    line totals, the staff `discount` (only where `discount_allowed`) or the code's on its
    eligible lines (its row locked, its uses counted without `order`), totals, and each
    line's share of the discount."""
    line_totals = [pricing.line_total(unit_price=price, quantity=qty) for _, qty, price, _ in lines]
    code, eligible = None, None
    if discount_code:
        if discount is not None:
            raise ValidationError(
                {"discount_code": ["A discount code and a staff discount cannot be given together."]}
            )
        # Locked first (then the stock rows, last): orders using one code queue here.
        code = _discount_code_locked(discount_code)
        eligible = _code_eligible_lines(
            code, customer=customer, channel=channel, products=[line[0] for line in lines], order=order
        )
        eligible_total = pricing.subtotal_of([t for t, ok in zip(line_totals, eligible, strict=True) if ok])
        _check_code_minimum(code, eligible_total)
        order_discount = pricing.code_discount(
            kind=code.kind, value=code.value, eligible_total=eligible_total
        )
    else:
        subtotal = pricing.subtotal_of(line_totals)
        order_discount = _checked_discount(discount, on_behalf=discount_allowed, subtotal=subtotal)
    totals = pricing.order_totals(line_totals=line_totals, discount=order_discount)
    if max(*line_totals, totals.subtotal, totals.total) > pricing.MAX_AMOUNT:
        raise ValidationError(
            {"items": [f"The order would cost more than {pricing.MAX_AMOUNT}, the most one order can hold."]}
        )
    sales = line_sales(
        lines=[(qty, amount, cost) for (_, qty, _, cost), amount in zip(lines, line_totals, strict=True)],
        discount=totals.discount,
        eligible=eligible,
    )
    return PricedLines(line_totals, totals, code, [sale.discount for sale in sales])


def merged_lines(
    lines: Sequence[Mapping[str, Any]],
    *,
    by_id: Mapping[Any, Any],
    by_sku: Mapping[str, Any],
    unknown: str,
    refused: Callable[[Any], str | None] = lambda found: None,
) -> tuple[dict[Any, int], list[str]]:
    """What `{"product": id | "sku": sku, "quantity": n}` lines name (looked up in `by_id` /
    `by_sku`) with merged quantities, and a message for every line that is wrong: not a whole
    number from 1 to MAX_LINE_QUANTITY, not found (`unknown`), or `refused`."""
    merged: dict[Any, int] = {}
    errors = []
    for line in lines:
        quantity, reference = line.get("quantity"), line.get("product") or line.get("sku")
        found = by_id.get(line["product"]) if line.get("product") is not None else by_sku.get(str(reference))
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            errors.append(f"Product {reference}: the quantity must be a whole number.")
        elif not 1 <= quantity <= MAX_LINE_QUANTITY:
            errors.append(f"Product {reference}: the quantity must be between 1 and {MAX_LINE_QUANTITY}.")
        elif found is None:
            errors.append(unknown.format(reference=reference))
        elif (refusal := refused(found)) is not None:
            errors.append(refusal)
        else:
            merged[found] = merged.get(found, 0) + quantity
    return merged, errors


def resolve_lines(lines: Sequence[Mapping[str, Any]]) -> dict[Product, int]:
    """The products and merged quantities of the lines, in the order first given."""
    if not lines:
        raise ValidationError({"items": ["An order needs at least one item."]})
    ids = {line["product"] for line in lines if line.get("product") is not None}
    skus = {line["sku"] for line in lines if line.get("product") is None and line.get("sku")}
    found = list(Product.objects.filter(Q(pk__in=ids) | Q(sku__in=skus)).order_by())
    by_id = {product.pk: product for product in found}
    by_sku = {product.sku: product for product in found}

    quantities, errors = merged_lines(
        lines,
        by_id=by_id,
        by_sku=by_sku,
        unknown="Unknown product {reference!r}.",
        refused=lambda product: (
            None if product_orderable(product) else f"Product {product.sku} is not available."
        ),
    )
    errors += [
        f"Product {product.sku}: {quantity} in all is more than {MAX_LINE_QUANTITY} per order."
        for product, quantity in quantities.items()
        if quantity > MAX_LINE_QUANTITY
    ]
    if errors:
        raise ValidationError({"items": errors})
    return quantities


def _checked_discount(discount: Decimal | None, *, on_behalf: bool, subtotal: Decimal) -> Decimal:
    if discount is None:
        return pricing.ZERO
    if not on_behalf:
        raise ValidationError(
            {"discount": ["Only staff placing an order for a customer may give a discount."]}
        )
    if not pricing.ZERO <= discount <= subtotal:
        raise ValidationError(
            {"discount": [f"The discount must be between 0.00 and the subtotal {subtotal}."]}
        )
    return discount


def _discount_code_locked(text: str) -> DiscountCode:
    """The code (matched case-insensitively), its row locked until the order commits, with
    its channels and categories; refused when it is unknown, inactive or out of its dates."""
    code = (
        DiscountCode.objects.select_for_update(of=("self",))
        .alias(code_lower=Lower("code"))
        .filter(code_lower=text.strip().lower())
        .prefetch_related("channels", "categories")
        .first()
    )
    if code is None:
        raise _code_refused("Unknown discount code.")
    now = timezone.now()
    if not code.is_active:
        raise _code_refused("This discount code is not active.")
    if code.starts_at and now < code.starts_at:
        raise _code_refused(f"This discount code is valid from {code.starts_at:%Y-%m-%d %H:%M} UTC.")
    if code.ends_at and now >= code.ends_at:
        raise _code_refused(f"This discount code expired on {code.ends_at:%Y-%m-%d %H:%M} UTC.")
    return code


def _code_eligible_lines(
    code: DiscountCode, *, customer, channel: SalesChannel, products: list[Product], order: Order | None
) -> list[bool]:
    """Which of the products the code applies to, after the checks that need the order: its
    channel and its uses (counted under the code's lock: orders that carry it, not cancelled)."""
    channels = {allowed.pk for allowed in code.channels.all()}
    if channels and channel.pk not in channels:
        raise _code_refused(f"This discount code is not valid on the {channel.code} channel.")
    uses = Order.objects.filter(discount_code=code).exclude(status=OrderStatus.CANCELLED)
    if order is not None:  # an order being edited does not count against itself
        uses = uses.exclude(pk=order.pk)
    if code.max_uses is not None and uses.count() >= code.max_uses:
        raise _code_refused("This discount code has been used up.")
    if (
        code.max_uses_per_customer is not None
        and uses.filter(customer=customer).count() >= code.max_uses_per_customer
    ):
        raise _code_refused("You have used this discount code as often as it allows.")
    categories: set[int] = set()
    for category in code.categories.all():
        categories |= category_descendant_ids(category=category)
    eligible = [not categories or product.category_id in categories for product in products]
    if not any(eligible):
        raise _code_refused("This discount code applies to none of the items in this order.")
    return eligible


def _check_code_minimum(code: DiscountCode, eligible_total: Decimal) -> None:
    if eligible_total < code.min_subtotal:
        raise _code_refused(
            f"This discount code needs eligible items worth at least {code.min_subtotal} "
            f"(they are worth {eligible_total})."
        )


def _code_refused(message: str) -> ValidationError:
    return ValidationError({"discount_code": [message]})
