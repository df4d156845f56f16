"""Placing an order: one transaction that checks, prices, writes the order with its items,
history and audit entry, then takes the stock; an Idempotency-Key replays the first order."""

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from audit.models import AuditAction
from audit.services import person, record
from catalog.models import SalesChannel
from catalog.selectors import active_channel
from inventory.services import stock_take
from orders import pricing, tasks
from orders.models import (
    IdempotencyKey,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
)
from orders.selectors import manages_orders
from salesbackend.background import enqueue_on_commit
from salesbackend.events import publish_on_commit
from salesbackend.exceptions import ConflictError

from .allocations import allocations_shown
from .lines import price_lines, resolve_lines

logger = logging.getLogger(__name__)


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


@transaction.atomic(durable=True)
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
    quantities = resolve_lines(lines)
    priced = price_lines(
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
    taken = stock_take(lines=quantities, actor=person(actor), order_id=order.pk, channel=channel)
    allocations_shown(items, taken)
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
    if settings.ORDER_CONFIRMATIONS == "task":  # else the outbox sweep sends it (tasks.py)
        enqueue_on_commit(tasks.send_order_confirmation, order.pk)
    return Placement(order, created=True, items=items, status_history=[first_status])


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
    channel = active_channel(code)
    if channel is None:
        raise ValidationError({"channel": [f"Unknown sales channel {code!r}."]})
    return channel


def _claim_key(*, customer, key: str, fingerprint: str, order: Order) -> None:
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(customer=customer, key=key, request_hash=fingerprint, order=order)
    except IntegrityError:
        raise _KeyAlreadyUsed from None
