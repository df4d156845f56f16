"""Every change to orders: placement, the status machine and its ledgers, and reviews.

The API, the admin and the commands call these functions; each is one transaction that
writes its own status change and audit entry, and sends events only after commit.
"""

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audited_save, changes_between, person, record, snapshot
from catalog.models import Product, SalesChannel
from catalog.selectors import category_descendant_ids, product_orderable
from inventory.models import MovementReason
from inventory.services import stock_exchange, stock_return, stock_take
from salesbackend.background import enqueue_on_commit
from salesbackend.events import publish_on_commit
from salesbackend.exceptions import ConflictError

from . import pricing
from .ledger import line_sales, sales_ledger_append
from .models import (
    DiscountCode,
    DiscountKind,
    IdempotencyKey,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
    Refund,
    RefundLine,
    RefundReason,
    Review,
    SalesRecord,
)
from .selectors import customer_received_product, manages_orders, refunded_so_far
from .tasks import send_order_confirmation

logger = logging.getLogger(__name__)

MAX_LINE_QUANTITY = 1000

# The status machine: the statuses an order may move to from each status.
TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset({OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}),
    OrderStatus.PARTIALLY_REFUNDED: frozenset({OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.REFUNDED: frozenset(),
}
REFUNDABLE_STATUSES = frozenset({OrderStatus.DELIVERED, OrderStatus.PARTIALLY_REFUNDED})
# The sale is on the books from `paid` on; a cancellation after it reverses it whole (refunds
# reverse the units they name: `order_refund`).
SALE_RECORDED_STATUSES = frozenset({OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED})
# Customers may cancel only before they paid; staff also after payment, before shipping.
CANCELLABLE_BY_OWNER = frozenset({OrderStatus.PENDING})
CANCELLABLE_BY_STAFF = frozenset({OrderStatus.PENDING, OrderStatus.PAID})


class Placement(NamedTuple):
    order: Order
    created: bool  # False when an Idempotency-Key replayed an order placed earlier
    # What a new placement wrote, so callers can show the order without reading it back.
    items: Sequence[OrderItem] = ()
    status_history: Sequence[OrderStatusChange] = ()


class _KeyAlreadyUsed(Exception):
    """An identical request stored the same Idempotency-Key first; roll back and replay it."""


# ---------------------------------------------------------------------------- placement


def order_place(
    *,
    customer,
    actor,
    channel_code: str = "web",
    lines: Sequence[Mapping[str, Any]],
    shipping_address: Mapping[str, Any],
    billing_address: Mapping[str, Any] | None = None,
    note: str = "",
    discount: Decimal | None = None,
    discount_code: str | None = None,
    idempotency_key: str | None = None,
) -> Placement:
    """Place an order for `customer` in one transaction, or nothing at all.

    `lines` are `{"product": id, "quantity": n}` or `{"sku": sku, "quantity": n}`; repeated
    products are merged. A `discount_code` takes its amount off its eligible lines (the staff
    `discount` cannot come with it); its use is counted with its row locked. With an
    `idempotency_key`, a retry of the same request returns the order placed first (stock is
    taken once); the same key with another request is a conflict.
    """
    fingerprint = ""
    if idempotency_key:
        fingerprint = _request_fingerprint(
            channel_code=channel_code,
            lines=[{k: line.get(k) for k in ("product", "sku", "quantity")} for line in lines],
            shipping_address=shipping_address,
            billing_address=billing_address,
            note=note,
            discount=None if discount is None else pricing.to_cents(discount),
            discount_code=(discount_code or "").lower(),
        )
        earlier = _replay(customer=customer, key=idempotency_key, fingerprint=fingerprint)
        if earlier is not None:
            return Placement(earlier, created=False)
    try:
        return _order_create(
            customer=customer,
            actor=actor,
            channel_code=channel_code,
            lines=lines,
            shipping_address=shipping_address,
            billing_address=billing_address,
            note=note,
            discount=discount,
            discount_code=discount_code,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
        )
    except _KeyAlreadyUsed:
        earlier = _replay(customer=customer, key=idempotency_key or "", fingerprint=fingerprint)
        if earlier is None:  # the first request's order was deleted in between
            raise ConflictError("The request could not be replayed; retry it.", code="conflict") from None
        return Placement(earlier, created=False)


def _request_fingerprint(**request: Any) -> str:
    canonical = json.dumps(request, sort_keys=True, cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(*, customer, key: str, fingerprint: str) -> Order | None:
    stored = IdempotencyKey.objects.select_related("order").filter(customer=customer, key=key).first()
    if stored is None:
        return None
    if stored.request_hash != fingerprint:
        raise ConflictError(
            "This Idempotency-Key was already used for a different request.", code="idempotency_key_reused"
        )
    return stored.order


@transaction.atomic
def _order_create(
    *,
    customer,
    actor,
    channel_code: str,
    lines: Sequence[Mapping[str, Any]],
    shipping_address: Mapping[str, Any],
    billing_address: Mapping[str, Any] | None,
    note: str,
    discount: Decimal | None,
    discount_code: str | None,
    idempotency_key: str | None,
    fingerprint: str,
) -> Placement:
    on_behalf = _check_parties(customer=customer, actor=actor)
    if not on_behalf:
        _check_pending_cap(customer)
    channel = _active_channel(channel_code)
    quantities = _resolve_lines(lines)
    priced = _price_lines(
        [(product, qty, product.price, product.cost_price) for product, qty in quantities.items()],
        customer=customer,
        channel=channel,
        discount=discount,
        discount_allowed=on_behalf,
        discount_code=discount_code,
    )
    totals, code, line_totals = priced.totals, priced.code, priced.line_totals

    # Everything but the stock is written first: the stock rows are the hot rows every order
    # for a product queues on, so they are locked last and held for the fewest round trips.
    order = Order.objects.create(
        customer=customer,
        placed_by=actor if on_behalf else None,
        channel=channel,
        status=OrderStatus.PENDING,
        subtotal=totals.subtotal,
        discount=totals.discount,
        tax=totals.tax,
        shipping=totals.shipping,
        total=totals.total,
        discount_code=code,
        currency=settings.SALES_CURRENCY,
        shipping_address=dict(shipping_address),
        billing_address=dict(billing_address) if billing_address else None,
        note=note,
    )
    # The id is unique, so a number made from it is too; the year makes it readable.
    order.number = f"SO-{order.created_at:%Y}-{order.pk:06d}"
    order.save(update_fields=["number"])
    if idempotency_key:
        # Claimed before taking stock: an identical concurrent request waits here on the
        # unique index, then finds the key taken and replays this order instead of selling twice.
        _claim_key(customer=customer, key=idempotency_key, fingerprint=fingerprint, order=order)

    items = OrderItem.objects.bulk_create(
        OrderItem(
            order=order,
            product=product,
            sku=product.sku,
            name=product.name,
            quantity=qty,
            unit_price=product.price,
            unit_cost=product.cost_price,
            line_total=amount,
            discount=share,
        )
        for (product, qty), amount, share in zip(quantities.items(), line_totals, priced.shares, strict=True)
    )
    first_status = OrderStatusChange.objects.create(
        order=order, from_status="", to_status=OrderStatus.PENDING, by=person(actor)
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=order,
        changes={
            "customer": [None, customer.pk],
            "channel": [None, channel.code],
            "status": [None, order.status],
            "items": [None, [{"sku": item.sku, "quantity": item.quantity} for item in items]],
            "discount": [None, order.discount],
            **({"discount_code": [None, code.code]} if code else {}),
            "total": [None, order.total],
        },
    )
    stock_take(lines=quantities, actor=person(actor), order=order)
    publish_on_commit(
        "order_placed",
        {
            "id": order.pk,
            "number": order.number,
            "customer": customer.pk,
            "channel": channel.code,
            "items": sum(item.quantity for item in items),
            "total": order.total,
            "currency": order.currency,
        },
    )
    enqueue_on_commit(send_order_confirmation, order.pk)
    return Placement(order, created=True, items=items, status_history=[first_status])


class _Priced(NamedTuple):
    line_totals: list[Decimal]
    totals: pricing.OrderTotals
    code: DiscountCode | None
    shares: list[Decimal]  # each line's share of the discount


def _price_lines(
    lines: Sequence[tuple[Product, int, Decimal, Decimal]],
    *,
    customer,
    channel: SalesChannel,
    discount: Decimal | None,
    discount_allowed: bool,
    discount_code: str | None,
    order: Order | None = None,
) -> _Priced:
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
    return _Priced(line_totals, totals, code, [sale.discount for sale in sales])


def _check_parties(*, customer, actor) -> bool:
    """Whether staff place this order for a customer; refuses anyone else placing it."""
    on_behalf = actor is None or actor.pk != customer.pk
    if on_behalf and actor is not None and not manages_orders(actor):
        raise PermissionDenied("Only staff may place an order for a customer.")
    if not (customer.is_active and customer.is_customer):
        raise ValidationError({"customer": ["Orders are placed for an active customer."]})
    return on_behalf


def _check_pending_cap(customer) -> None:
    """A customer holds at most ORDER_MAX_PENDING_PER_CUSTOMER unpaid orders. The customer's
    row is locked first, so parallel orders of one customer are counted one after the other
    and never pass the cap together. Two statements: a count inside the locking one would
    read the snapshot taken before it waited for the lock, missing the order that held it."""
    cap = settings.ORDER_MAX_PENDING_PER_CUSTOMER
    if cap <= 0:
        return
    type(customer).objects.select_for_update(of=("self",)).filter(pk=customer.pk).values_list("pk").get()
    held = Order.objects.filter(customer=customer, status=OrderStatus.PENDING).count()
    if held >= cap:
        raise ConflictError(
            f"You already have {held} unpaid orders, the most allowed: pay or cancel one first.",
            code="too_many_pending",
        )


def _active_channel(code: str) -> SalesChannel:
    channel = SalesChannel.objects.filter(code=code, is_active=True).first()
    if channel is None:
        raise ValidationError({"channel": [f"Unknown sales channel {code!r}."]})
    return channel


def _merged_lines(
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


def _resolve_lines(lines: Sequence[Mapping[str, Any]]) -> dict[Product, int]:
    """The products and merged quantities of the lines, in the order first given."""
    if not lines:
        raise ValidationError({"items": ["An order needs at least one item."]})
    ids = {line["product"] for line in lines if line.get("product") is not None}
    skus = {line["sku"] for line in lines if line.get("product") is None and line.get("sku")}
    found = list(Product.objects.filter(Q(pk__in=ids) | Q(sku__in=skus)))
    by_id = {product.pk: product for product in found}
    by_sku = {product.sku: product for product in found}

    quantities, errors = _merged_lines(
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


def _claim_key(*, customer, key: str, fingerprint: str, order: Order) -> None:
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(customer=customer, key=key, request_hash=fingerprint, order=order)
    except IntegrityError:
        raise _KeyAlreadyUsed from None


# ---------------------------------------------------------------------------- editing


class _Keep:
    """The type of KEEP: an order_update argument left as it is."""


KEEP = _Keep()


@transaction.atomic
def order_update(
    *,
    order: Order,
    actor,
    items: Sequence[Mapping[str, Any]] | None = None,
    shipping_address: Mapping[str, Any] | None = None,
    billing_address: Mapping[str, Any] | _Keep | None = KEEP,
    note: str | None = None,
    discount_code: str | _Keep | None = KEEP,
) -> Order:
    """Change a pending order: its owner or staff. New `items` replace the lines: stock moves
    by the difference only, kept lines keep their price snapshot, added lines take today's
    price; totals and the discount (its code checked again, or the staff discount kept) are
    computed again. `discount_code` "" or None removes the code. All or nothing; not pending: 409.
    """
    locked = _lock(order)
    if not (manages_orders(actor) or (actor is not None and actor.pk == locked.customer_id)):
        raise PermissionDenied("You may not change this order.")
    if locked.status != OrderStatus.PENDING:
        raise ConflictError(f"An order that is {locked.status} cannot be changed.", code="invalid_transition")
    current = {item.product_id: item for item in locked.items.select_related("product")}
    before = _order_state(locked, current.values())
    old = {product_id: item.quantity for product_id, item in current.items()}

    quantities = (
        _resolve_lines(items)
        if items is not None
        else {item.product: item.quantity for item in current.values()}
    )
    lines = [
        (
            product,
            qty,
            *(
                (current[product.pk].unit_price, current[product.pk].unit_cost)
                if product.pk in current
                else (product.price, product.cost_price)
            ),
        )
        for product, qty in quantities.items()
    ]
    code_text = (
        (locked.discount_code.code if locked.discount_code else None)
        if isinstance(discount_code, _Keep)
        else discount_code
    )
    new = {product.pk: qty for product, qty in quantities.items()}
    staff_discount = locked.discount if not locked.discount_code_id and locked.discount else None
    if code_text and staff_discount is not None:
        staff_discount = None  # a code replaces the staff discount
    priced = _price_lines(
        lines,
        customer=locked.customer,
        channel=locked.channel,
        discount=staff_discount,
        discount_allowed=True,  # only a discount staff gave before is kept
        discount_code=code_text or None,
        order=locked,
    )

    # The lines: kept ones updated in place, removed ones deleted, new ones added.
    kept, added = [], []
    for (product, qty, price, cost), amount, share in zip(
        lines, priced.line_totals, priced.shares, strict=True
    ):
        item = current.pop(product.pk, None)
        if item is None:
            added.append(
                OrderItem(
                    order=locked,
                    product=product,
                    sku=product.sku,
                    name=product.name,
                    quantity=qty,
                    unit_price=price,
                    unit_cost=cost,
                    line_total=amount,
                    discount=share,
                )
            )
        else:
            item.quantity, item.line_total, item.discount = qty, amount, share
            kept.append(item)
    removed = list(current.values())
    # Stock moves by the difference only, per product.
    products = {line[0].pk: line[0] for line in lines} | {item.product_id: item.product for item in removed}
    change = {pid: new.get(pid, 0) - old.get(pid, 0) for pid in products}
    taken = {products[pid]: delta for pid, delta in change.items() if delta > 0}
    returned = {products[pid]: -delta for pid, delta in change.items() if delta < 0}
    if taken or returned:
        stock_exchange(taken=taken, returned=returned, actor=person(actor), order=locked)
    OrderItem.objects.filter(pk__in=[item.pk for item in removed]).delete()
    OrderItem.objects.bulk_update(kept, ["quantity", "line_total", "discount"])
    OrderItem.objects.bulk_create(added)

    totals = priced.totals
    locked.subtotal, locked.discount, locked.tax = totals.subtotal, totals.discount, totals.tax
    locked.shipping, locked.total, locked.discount_code = totals.shipping, totals.total, priced.code
    if shipping_address is not None:
        locked.shipping_address = dict(shipping_address)
    if not isinstance(billing_address, _Keep):
        locked.billing_address = dict(billing_address) if billing_address else None
    if note is not None:
        locked.note = note
    locked.save()
    changes = changes_between(before, _order_state(locked, [*kept, *added]))
    if changes:
        record(actor=actor, action=AuditAction.UPDATE, entity=locked, changes=changes)
    return locked


def _order_state(order: Order, items) -> dict[str, Any]:
    state = snapshot(
        order,
        ("subtotal", "discount", "tax", "shipping", "total", "shipping_address", "billing_address", "note"),
    )
    state["discount_code"] = order.discount_code.code if order.discount_code else None
    state["items"] = {item.sku: item.quantity for item in items}
    return state


# ---------------------------------------------------------------------------- discount codes

DISCOUNT_CODE_FIELDS = (
    "code",
    "description",
    "kind",
    "value",
    "min_subtotal",
    "starts_at",
    "ends_at",
    "max_uses",
    "max_uses_per_customer",
    "is_active",
)


def _discount_code_state(code: DiscountCode) -> dict[str, Any]:
    state = snapshot(code, DISCOUNT_CODE_FIELDS)
    state["channels"] = sorted(channel.code for channel in code.channels.all())
    state["categories"] = sorted(category.slug for category in code.categories.all())
    return state


def discount_code_validate(code: DiscountCode) -> None:
    """The model's rules, the case-insensitive uniqueness of the code and the date order."""
    errors: dict[str, list[str]] = {}
    try:
        code.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    others = DiscountCode.objects.alias(code_lower=Lower("code")).filter(code_lower=code.code.lower())
    if code.code and others.exclude(pk=code.pk).exists():
        errors.setdefault("code", []).append("A discount code with this code already exists.")
    if code.kind == DiscountKind.PERCENT and code.value is not None and not 0 < code.value <= 100:
        errors.setdefault("value", []).append("A percentage must be more than 0 and at most 100.")
    if code.value is not None and code.value <= 0:
        errors.setdefault("value", []).append("The value must be more than 0.")
    if code.starts_at and code.ends_at and code.ends_at <= code.starts_at:
        errors.setdefault("ends_at", []).append("The end must come after the start.")
    if errors:
        raise ValidationError(errors)


def _set_code_scope(code: DiscountCode, data: Mapping[str, Any]) -> None:
    if "channels" in data:
        code.channels.set(data["channels"])
    if "categories" in data:
        code.categories.set(data["categories"])


@transaction.atomic
def discount_code_create(*, actor, channels=(), categories=(), **fields: Any) -> DiscountCode:
    """A new discount code; `channels` and `categories` empty mean every one."""
    code = DiscountCode(**{field: value for field, value in fields.items() if field in DISCOUNT_CODE_FIELDS})
    code.code = (code.code or "").strip()
    discount_code_validate(code)
    code.created_by = person(actor)
    code.save()
    _set_code_scope(code, {"channels": channels, "categories": categories})
    record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=code,
        changes={field: [None, value] for field, value in _discount_code_state(code).items()},
    )
    return code


@transaction.atomic
def discount_code_update(*, code: DiscountCode, actor, data: Mapping[str, Any]) -> DiscountCode:
    """Change any field of a code; the audit entry lists {field: [old, new]}. Orders placed
    with it keep the discount they got."""
    locked = DiscountCode.objects.select_for_update().get(pk=code.pk)
    before = _discount_code_state(locked)
    for field in DISCOUNT_CODE_FIELDS:
        if field in data:
            setattr(locked, field, data[field])
    discount_code_validate(locked)
    _set_code_scope(locked, data)  # many-to-many rows: set before the diff that audits them
    audited_save(locked, actor=actor, before=before, state=_discount_code_state)
    return locked


@transaction.atomic
def discount_code_delete(*, code: DiscountCode, actor) -> None:
    """Delete a code no order used; a used one is 409 (deactivate it instead)."""
    if code.orders.exists():
        raise ConflictError(
            "This discount code was used by orders and cannot be deleted; deactivate it instead.",
            code="discount_code_used",
        )
    state = _discount_code_state(code)
    entity_id, entity_repr = code.pk, str(code)
    code.delete()
    record(
        actor=actor,
        action=AuditAction.DELETE,
        entity_type="orders.discountcode",
        entity_id=entity_id,
        entity_repr=entity_repr,
        changes={field: [value, None] for field, value in state.items()},
    )


# ---------------------------------------------------------------------------- lifecycle


@transaction.atomic
def order_set_status(*, order: Order, to_status: str, actor, note: str = "") -> Order:
    """Move an order along the status machine: staff (or system work, `actor` None) only. The
    service checks who may, like `order_cancel`, so every door applies the same rule."""
    if actor is not None and not manages_orders(actor):
        raise PermissionDenied("Only staff move an order along the status machine.")
    if to_status not in OrderStatus.values:
        raise ValidationError({"status": [f"Unknown status {to_status!r}."]})
    locked = _lock(order)
    if to_status not in TRANSITIONS[locked.status]:
        raise ConflictError(
            f"An order that is {locked.status} cannot become {to_status}.", code="invalid_transition"
        )
    if to_status == OrderStatus.PARTIALLY_REFUNDED:
        raise ConflictError(
            "Name the units to refund: POST them to the order's refunds.", code="invalid_transition"
        )
    if to_status == OrderStatus.REFUNDED:  # everything that is left, back in stock
        left = [
            {"product": item.product_id, "quantity": item.quantity - done.quantity}
            for item, done in refunded_so_far(locked)
            if item.quantity > done.quantity
        ]
        refund = order_refund(
            order=locked, lines=left, restock=True, reason=RefundReason.OTHER, note=note, actor=actor
        )
        return refund.order
    return _transition(locked, to_status=to_status, actor=actor, note=note)


@transaction.atomic
def order_cancel(*, order: Order, actor, note: str = "") -> Order:
    """Cancel an order: its owner while pending, staff while pending or paid. Stock goes back."""
    locked = _lock(order)
    if manages_orders(actor):
        cancellable = CANCELLABLE_BY_STAFF
    elif actor is not None and actor.pk == locked.customer_id:
        cancellable = CANCELLABLE_BY_OWNER
    else:
        raise PermissionDenied("You may not cancel this order.")
    if locked.status not in cancellable:
        raise ConflictError(
            f"An order that is {locked.status} cannot be cancelled.", code="invalid_transition"
        )
    return _transition(locked, to_status=OrderStatus.CANCELLED, actor=actor, note=note)


@transaction.atomic
def order_expire(*, order: Order, placed_before: datetime) -> bool:
    """Cancel a pending order placed before `placed_before` that nobody paid: stock and the
    code's use go back, the status change says "expired", the audit entry has no actor.
    The order is locked first, so a payment and an expiry never both win: whichever locks
    second finds the other's status (a payment then gets 409; the expiry does nothing)."""
    locked = _lock(order)
    if locked.status != OrderStatus.PENDING or locked.created_at >= placed_before:
        return False
    _transition(locked, to_status=OrderStatus.CANCELLED, actor=None, note="expired")
    return True


def orders_expire(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Expire the pending orders older than ORDER_PENDING_MINUTES (0: never), each in its own
    transaction (beat runs this every minute; `manage.py expire_orders` too). Returns how many."""
    minutes = settings.ORDER_PENDING_MINUTES
    if minutes <= 0:
        return 0
    placed_before = (now or timezone.now()) - timedelta(minutes=minutes)
    due = Order.objects.filter(status=OrderStatus.PENDING, created_at__lt=placed_before).order_by(
        "created_at"
    )
    return sum(order_expire(order=order, placed_before=placed_before) for order in due.only("pk")[:limit])


def _lock(order: Order) -> Order:
    """The order row, locked until the transaction ends, so two transitions never interleave."""
    return Order.objects.select_for_update(of=("self",)).get(pk=order.pk)


def _transition(order: Order, *, to_status: str, actor, note: str) -> Order:
    """Apply a validated transition to a locked order with all its effects."""
    from_status = order.status
    order.status = to_status
    order.save(update_fields=["status", "updated_at"])
    OrderStatusChange.objects.create(
        order=order, from_status=from_status, to_status=to_status, by=person(actor), note=note
    )
    items = list(order.items.select_related("product"))
    if to_status == OrderStatus.CANCELLED:  # goods never shipped go back on the shelf
        returned: Counter[Product] = Counter()
        for item in items:
            returned[item.product] += item.quantity
        stock_return(lines=returned, actor=person(actor), order=order, reason=MovementReason.CANCELLATION)
        if from_status in SALE_RECORDED_STATUSES:
            _sales_reverse(order)
    if to_status == OrderStatus.PAID:
        _sales_record(order, items)
    changes: dict[str, list[Any]] = {"status": [from_status, to_status]}
    if note:
        changes["note"] = [None, note]
    record(actor=actor, action=AuditAction.STATUS_CHANGE, entity=order, changes=changes)
    return order


def _sales_record(order: Order, items: list[OrderItem]) -> None:
    """One ledger row per line; revenue is net of the line's share of the order discount,
    which placement fixed (`line_sales`)."""
    sold_at = timezone.now()
    sales_ledger_append(
        records=[
            SalesRecord(
                order=order,
                order_item=item,
                product=item.product,
                category_id=item.product.category_id,
                channel_id=order.channel_id,
                customer_id=order.customer_id,
                quantity=item.quantity,
                revenue=item.line_total - item.discount,
                cost=item.unit_cost * item.quantity,
                discount=item.discount,
                sold_at=sold_at,
            )
            for item in items
        ]
    )


def _sales_reverse(order: Order) -> None:
    """Negative copies of the order's sales rows: the ledger is appended to, never edited."""
    reversed_at = timezone.now()
    sales_ledger_append(
        records=[
            SalesRecord(
                order_id=sale.order_id,
                order_item_id=sale.order_item_id,
                product_id=sale.product_id,
                category_id=sale.category_id,
                channel_id=sale.channel_id,
                customer_id=sale.customer_id,
                quantity=-sale.quantity,
                revenue=-sale.revenue,
                cost=-sale.cost,
                sold_at=reversed_at,
                reverses_order=True,
            )
            for sale in order.sales_records.filter(quantity__gt=0)
        ]
    )


# ---------------------------------------------------------------------------- refunds


@transaction.atomic
def order_refund(
    *,
    order: Order,
    lines: Sequence[Mapping[str, Any]],
    restock: bool = True,
    reason: str = RefundReason.OTHER,
    note: str = "",
    actor,
) -> Refund:
    """Refund delivered units: `lines` are `{"product": id | "sku": sku, "quantity": n}`.

    In one transaction, with the order locked: each line's net revenue (after its discount
    share) and tax share for those units, pro rata, the last unit taking what rounding left;
    reversing sales records for exactly those units; `return` movements when `restock`; the
    order `partially_refunded`, or `refunded` once every unit is; a status change and an
    audit entry. More than was delivered and not yet refunded: 409, nothing written.
    """
    if not manages_orders(actor):
        raise PermissionDenied("Only staff refund orders.")
    if reason not in RefundReason.values:
        raise ValidationError({"reason": [f"Unknown reason {reason!r}."]})
    locked = _lock(order)
    if locked.status not in REFUNDABLE_STATUSES:
        raise ConflictError(
            f"An order that is {locked.status} cannot be refunded.", code="invalid_transition"
        )
    so_far = refunded_so_far(locked)
    wanted = _refund_quantities(lines, [item for item, _ in so_far])
    over = [
        {
            "product": item.product_id,
            "sku": item.sku,
            "requested": wanted[item],
            "available": item.quantity - done.quantity,
        }
        for item, done in so_far
        if item in wanted and wanted[item] > item.quantity - done.quantity
    ]
    if over:
        raise ConflictError(
            "More units than were delivered and not yet refunded.",
            code="refund_exceeds_delivered",
            extra={"items": over},
        )
    shares = pricing.refund_shares(
        lines=[
            pricing.RefundableLine(
                quantity=item.quantity,
                net=item.line_total - item.discount,
                refunded_quantity=done.quantity,
                refunded_revenue=done.revenue,
                refunded_tax=done.tax,
            )
            for item, done in so_far
        ],
        order_tax=locked.tax,
        quantities=[wanted.get(item, 0) for item, _ in so_far],
    )
    refund_lines = [
        RefundLine(
            order_item=item,
            product_id=item.product_id,
            sku=item.sku,
            quantity=wanted[item],
            revenue=revenue,
            tax=tax,
            amount=revenue + tax,
        )
        for (item, _), (revenue, tax) in zip(so_far, shares, strict=True)
        if wanted.get(item)
    ]
    refund = Refund.objects.create(
        order=locked,
        amount=sum((line.amount for line in refund_lines), pricing.ZERO),
        tax=sum((line.tax for line in refund_lines), pricing.ZERO),
        restocked=restock,
        reason=reason,
        note=note,
        by=person(actor),
    )
    for line in refund_lines:
        line.refund = refund
    RefundLine.objects.bulk_create(refund_lines)

    everything = all(done.quantity + wanted.get(item, 0) == item.quantity for item, done in so_far)
    refunded_at = timezone.now()
    sales_ledger_append(
        records=[
            SalesRecord(
                order=locked,
                order_item=line.order_item,
                product_id=line.product_id,
                category_id=line.order_item.product.category_id,
                channel_id=locked.channel_id,
                customer_id=locked.customer_id,
                quantity=-line.quantity,
                revenue=-line.revenue,
                cost=-(line.order_item.unit_cost * line.quantity),
                sold_at=refunded_at,
                reverses_order=everything,
            )
            for line in refund_lines
        ]
    )
    if restock:
        returned: Counter[Product] = Counter()
        for line in refund_lines:
            returned[line.order_item.product] += line.quantity
        stock_return(lines=returned, actor=person(actor), order=locked, reason=MovementReason.RETURN)

    to_status = OrderStatus.REFUNDED if everything else OrderStatus.PARTIALLY_REFUNDED
    from_status = locked.status
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    OrderStatusChange.objects.create(
        order=locked, from_status=from_status, to_status=to_status, by=person(actor), note=note or reason
    )
    record(
        actor=actor,
        action=AuditAction.STATUS_CHANGE,
        entity=locked,
        changes={
            "status": [from_status, to_status],
            "refund": [None, refund.pk],
            "items": [None, [{"sku": line.sku, "quantity": line.quantity} for line in refund_lines]],
            "amount": [None, refund.amount],
            "restocked": [None, restock],
            "reason": [None, reason],
        },
    )
    return refund


def _refund_quantities(lines: Sequence[Mapping[str, Any]], items: list[OrderItem]) -> dict[OrderItem, int]:
    """The order lines and merged quantities that `lines` name (by product id or SKU)."""
    if not lines:
        raise ValidationError({"items": ["Name at least one item to refund."]})
    wanted, errors = _merged_lines(
        lines,
        by_id={item.product_id: item for item in items},
        by_sku={item.sku: item for item in items},
        unknown="Product {reference!r} is not in this order.",
    )
    if errors:
        raise ValidationError({"items": errors})
    return wanted


# ---------------------------------------------------------------------------- reviews


@transaction.atomic
def review_create(*, product: Product, customer, rating: int, title: str = "", body: str = "") -> Review:
    """A customer's review of a product they received in a delivered order; one each."""
    if not customer_received_product(customer=customer, product=product):
        raise PermissionDenied("You can review only products you received.")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": ["The rating must be a whole number from 1 to 5."]})
    try:
        with transaction.atomic():
            review = Review.objects.create(
                product=product, customer=customer, rating=rating, title=title, body=body
            )
    except IntegrityError:
        raise ConflictError("You have already reviewed this product.", code="duplicate_review") from None
    record(
        actor=customer,
        action=AuditAction.CREATE,
        entity=review,
        changes={"product": [None, product.pk], "rating": [None, rating], "title": [None, title]},
    )
    return review
