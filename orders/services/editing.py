"""Changing a pending order: its lines (stock moves by the difference), addresses, note and code."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from audit.models import AuditAction
from audit.services import changes_between, person, record, snapshot
from inventory.services import stock_exchange
from orders.models import (
    Order,
    OrderItem,
    OrderStatus,
)
from orders.selectors import manages_orders
from salesbackend.exceptions import ConflictError

from .allocations import returned_from
from .lines import price_lines, resolve_lines
from .status import order_lock


class _Keep:
    """The type of KEEP: an order_update argument left as it is."""


KEEP = _Keep()


@transaction.atomic(durable=True)
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
    locked = order_lock(order)
    if not (manages_orders(actor) or (actor is not None and actor.pk == locked.customer_id)):
        raise PermissionDenied("You may not change this order.")
    if locked.status != OrderStatus.PENDING:
        raise ConflictError(f"An order that is {locked.status} cannot be changed.", code="invalid_transition")
    current = {
        item.product_id: item
        for item in locked.items.select_related("product").prefetch_related("allocations")
    }
    old_items = dict(current)
    before = _order_state(locked, current.values())
    old = {product_id: item.quantity for product_id, item in current.items()}

    quantities = (
        resolve_lines(items)
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
    priced = price_lines(
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
    # Units given back leave the item's latest allocations first; new units are allocated.
    returned = [
        line for pid, delta in change.items() if delta < 0 for line in returned_from(old_items[pid], -delta)
    ]
    if taken or returned:  # the ledger's movements are the allocations (a view): nothing more to write
        stock_exchange(
            taken=taken, returned=returned, actor=person(actor), order_id=locked.pk, channel=locked.channel
        )
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
