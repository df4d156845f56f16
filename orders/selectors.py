"""Reads on orders and reviews, scoped to what the asking user may see; the sales ledger's
version and its rollups as the ledger computes them."""

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Lower
from django.utils import timezone

from catalog.models import Product
from catalog.selectors import products_visible_to

from .models import (
    OPEN_RETURN_STATUSES,
    DiscountCode,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
    Refund,
    RefundLine,
    Return,
    ReturnLine,
    ReturnStatus,
    Review,
)

ZERO = Decimal("0.00")
# Moves on after a return is received: answers that count returned units are cached under it.
RETURNS_VERSION_KEY = "orders:returns-version"
# What an order's representation (list, detail, every answer) reads besides its row.
ORDER_ROWS = ("items", "status_history", "refunds__lines", "returns")


def manages_orders(user) -> bool:
    """Staff who see every order and move orders along the status machine."""
    return bool(user is not None and user.is_authenticated and user.has_perm("orders.manage_orders"))


def orders_visible_to(user) -> QuerySet[Order]:
    """All orders for staff, a customer's own otherwise; with what the representation reads,
    so a page of orders costs the same few queries however many rows it has."""
    orders = Order.objects.select_related("channel", "discount_code").prefetch_related(*ORDER_ROWS)
    if user is None or not user.is_authenticated:
        return orders.none()
    if manages_orders(user):
        return orders
    return orders.filter(customer=user)


def order_with_rows(order: Order, **rows) -> Order:
    """`order` with some of its rows already in hand (just written or read by a service), as if
    prefetched by name (`items=`, `status_history=`, `refunds=`, `returns=`)."""
    cache = order.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, in_hand in rows.items():
        queryset = getattr(order, name).all()
        queryset._result_cache = list(in_hand)
        queryset._prefetch_done = True
        cache[name] = queryset
    return order


def order_answer(order: Order) -> Order:
    """`order` ready to show: what a service left in hand (its channel and code loaded with the
    row, rows given to `order_with_rows`) is kept, the rest read with the list's queries."""
    prefetch_related_objects([order], "channel", "discount_code", *ORDER_ROWS)
    return order


def customer_received_product(*, customer, product: Product) -> bool:
    return OrderItem.objects.filter(
        order__customer=customer, order__status=OrderStatus.DELIVERED, product=product
    ).exists()


def products_reviewable_by(user) -> QuerySet[Product]:
    """Products whose reviews `user` may read: those the user may see."""
    return products_visible_to(user)


def reviews_of_product(*, product: Product) -> QuerySet[Review]:
    return Review.objects.filter(product=product).order_by("-created_at", "-id")


def discount_codes_with_uses() -> QuerySet[DiscountCode]:
    """Every discount code with `uses` (orders that carry it and were not cancelled) and its
    channels and categories, in a fixed number of queries."""
    return DiscountCode.objects.annotate(
        uses=Count("orders", filter=~Q(orders__status=OrderStatus.CANCELLED))
    ).prefetch_related("channels", "categories")


def discount_code_by_code(text: str) -> QuerySet[DiscountCode]:
    """The code matched case-insensitively (the unique index is on its lower case)."""
    return discount_codes_with_uses().alias(code_lower=Lower("code")).filter(code_lower=text.lower())


def discount_codes_current(codes: QuerySet[DiscountCode], *, current: bool) -> QuerySet[DiscountCode]:
    """Codes whose end has not passed (`current`), or those that expired."""
    ended = Q(ends_at__isnull=False, ends_at__lte=timezone.now())
    return codes.exclude(ended) if current else codes.filter(ended)


def refunds_of(order: Order) -> QuerySet[Refund]:
    return order.refunds.prefetch_related("lines").order_by("created_at", "id")


class Refunded(NamedTuple):
    """What the refunds of one order line took back so far."""

    quantity: int = 0
    revenue: Decimal = ZERO
    tax: Decimal = ZERO


def refunded_so_far(order: Order) -> list[tuple[OrderItem, Refunded]]:
    """Each line of the order with what its refunds took back so far."""
    done = {
        row["order_item"]: Refunded(row["quantity"], row["revenue"], row["tax"])
        for row in RefundLine.objects.filter(refund__order=order)
        .values("order_item")
        .annotate(quantity=Sum("quantity"), revenue=Sum("revenue"), tax=Sum("tax"))
    }
    return [(item, done.get(item.pk, Refunded())) for item in order.items.select_related("product")]


def units_held_by_returns(order: Order, *, exclude: Return | None = None) -> dict[int, int]:
    """Units of each order line (by id) that open returns hold, but `exclude`: all they asked for
    until received, then what was received (the rest is no longer held)."""
    held = Case(
        When(return_request__status=ReturnStatus.RECEIVED, then=F("received")),
        default=F("quantity"),
    )
    lines = ReturnLine.objects.filter(
        return_request__order=order, return_request__status__in=OPEN_RETURN_STATUSES
    )
    if exclude is not None:
        lines = lines.exclude(return_request=exclude)
    return {
        row["order_item"]: row["held"]
        for row in lines.values("order_item").annotate(held=Sum(held)).order_by()
        if row["held"]
    }


def delivered_at(order: Order) -> datetime | None:
    """When the order was last marked delivered (the return window starts there), or None."""
    return (
        OrderStatusChange.objects.filter(order=order, to_status=OrderStatus.DELIVERED)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )


def returns_visible_to(user) -> QuerySet[Return]:
    """All returns for staff, a customer's own otherwise; with what the representation reads."""
    returns = Return.objects.prefetch_related("lines", "history")
    if user is None or not user.is_authenticated:
        return returns.none()
    if manages_orders(user):
        return returns
    return returns.filter(customer=user)


def products_with_rating(products: QuerySet[Product]) -> QuerySet[Product]:
    """`products` with `rating` annotated: the average review rating, None without reviews."""
    average_rating = (
        Product.objects.filter(pk=OuterRef("pk"))
        .order_by()
        .values("pk")
        .annotate(average=Avg("reviews__rating", output_field=FloatField()))
        .values("average")
    )
    return products.annotate(rating=Subquery(average_rating, output_field=FloatField()))


def product_ordered(*, product: Product) -> bool:
    """Whether any order has a line of `product` (then it is archived, never deleted)."""
    return OrderItem.objects.filter(product=product).exists()


def products_ordered(*, product_ids: list[int]) -> set[int]:
    """Which of the products any order has a line of, in one query (a bulk delete's check)."""
    return set(OrderItem.objects.filter(product_id__in=product_ids).values_list("product_id", flat=True))


def with_order_number(rows: QuerySet) -> QuerySet:
    """`rows` that name an order by `order_id` (stock movements) with its `order_number`."""
    return rows.annotate(
        order_number=Subquery(Order.objects.filter(pk=OuterRef("order_id")).values("number"))
    )
