"""Demo discount codes: made by the real service (`orders.services.discount_code_create`, with
its validation and audit entries) and used by a share of the order history, each use inside its
code's dates, channels and categories and priced by `orders.pricing` as placement prices it.

The history is bulk-loaded, so codes are checked here in memory, the same rules as
`orders.services.lines` checks at placement: active, within its dates, on its channels, with
eligible lines worth its minimum, at most its uses per customer."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from random import Random

from catalog.models import Category, SalesChannel
from orders import pricing
from orders.models import DiscountCode, DiscountKind, Order, OrderStatus
from orders.services import discount_code_create

CODE_SHARE = 0.13  # of the orders try a code; about 10 % end up with one (some fit none)


@dataclass(frozen=True)
class DemoCode:
    id: int
    code: str
    kind: str
    value: Decimal
    min_subtotal: Decimal
    starts_at: datetime | None
    ends_at: datetime | None
    is_active: bool
    max_uses_per_customer: int | None
    channel_ids: frozenset[int]  # empty: every channel
    category_ids: frozenset[int]  # with their sub-categories; empty: every category

    def valid_at(self, at: datetime, channel_id: int) -> bool:
        return (
            self.is_active
            and (self.starts_at is None or self.starts_at <= at)
            and (self.ends_at is None or at < self.ends_at)
            and (not self.channel_ids or channel_id in self.channel_ids)
        )


@dataclass(frozen=True)
class CodeUse:
    code: DemoCode
    eligible: list[bool]
    discount: Decimal


def _code_specs(start: datetime) -> list[tuple[dict, int]]:
    """(fields for discount_code_create, how often it is chosen) of the demo's codes. Dates are
    relative to the history, so every demo has an expired and a running campaign."""
    day = timedelta(days=1)
    return [
        (
            {
                "code": "WELCOME10",
                "description": "10 % off a customer's first order with the code",
                "kind": DiscountKind.PERCENT,
                "value": Decimal("10"),
                "starts_at": start - 30 * day,
                "max_uses_per_customer": 1,
            },
            4,
        ),
        (
            {
                "code": "SAVE20",
                "description": "20.00 off orders of 150.00 or more",
                "kind": DiscountKind.FIXED,
                "value": Decimal("20.00"),
                "min_subtotal": Decimal("150.00"),
                "starts_at": start,
            },
            3,
        ),
        (
            {
                "code": "HOME15",
                "description": "15 % off Home & Kitchen",
                "kind": DiscountKind.PERCENT,
                "value": Decimal("15"),
                "starts_at": start + 120 * day,
                "categories": "home-kitchen",
            },
            3,
        ),
        (
            {
                "code": "INSTORE5",
                "description": "5.00 off in our shops, from 40.00",
                "kind": DiscountKind.FIXED,
                "value": Decimal("5.00"),
                "min_subtotal": Decimal("40.00"),
                "starts_at": start + 60 * day,
                "channels": "retail",
            },
            2,
        ),
        (
            {
                "code": "SUMMER25",
                "description": "Summer sale: 25 % off (ended)",
                "kind": DiscountKind.PERCENT,
                "value": Decimal("25"),
                "starts_at": start + 30 * day,
                "ends_at": start + 100 * day,
            },
            6,
        ),
        (
            {
                "code": "STAFF50",
                "description": "Staff sale, switched off before it ran",
                "kind": DiscountKind.PERCENT,
                "value": Decimal("50"),
                "is_active": False,
            },
            1,
        ),
    ]


def _descendants(roots: set[int]) -> frozenset[int]:
    """The categories `roots` with everything below them (one query for the whole tree)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, todo = set(), list(roots)
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, ()))
    return frozenset(found)


def demo_discount_codes_ensure(*, actor, start: datetime, now: datetime, rng: Random) -> "DemoCodes":
    """The demo's codes, created through the service when missing (a second seed reuses them),
    and what their earlier uses were per customer."""
    specs = _code_specs(start)
    existing = {
        code.code: code for code in DiscountCode.objects.filter(code__in=[s["code"] for s, _ in specs])
    }
    categories = dict(
        Category.objects.filter(
            slug__in=[s["categories"] for s, _ in specs if "categories" in s]
        ).values_list("slug", "pk")
    )
    channels = dict(SalesChannel.objects.values_list("code", "pk"))
    for fields, _ in specs:
        if fields["code"] in existing:
            continue
        category, channel = fields.pop("categories", None), fields.pop("channels", None)
        if (category and category not in categories) or (channel and channel not in channels):
            continue  # a catalog without that category: no code for it
        code = discount_code_create(
            actor=actor,
            categories=[categories[category]] if category else [],
            channels=[channels[channel]] if channel else [],
            **fields,
        )
        # Made today by the service, but the campaign is as old as its first day.
        DiscountCode.objects.filter(pk=code.pk).update(created_at=min(code.starts_at or now, now))
        existing[code.code] = code
    codes, weights = [], []
    for fields, weight in specs:
        code = existing.get(fields["code"])
        if code is None:
            continue
        codes.append(
            DemoCode(
                id=code.pk,
                code=code.code,
                kind=code.kind,
                value=code.value,
                min_subtotal=code.min_subtotal,
                starts_at=code.starts_at,
                ends_at=code.ends_at,
                is_active=code.is_active,
                max_uses_per_customer=code.max_uses_per_customer,
                channel_ids=frozenset(code.channels.values_list("pk", flat=True)),
                category_ids=_descendants(set(code.categories.values_list("pk", flat=True))),
            )
        )
        weights.append(weight)
    used = Counter(
        Order.objects.filter(discount_code_id__in=[code.id for code in codes])
        .exclude(status=OrderStatus.CANCELLED)
        .values_list("discount_code_id", "customer_id")
    )
    return DemoCodes(rng, codes, weights, used)


class DemoCodes:
    """Draws the code an order uses, if any, and prices it."""

    def __init__(self, rng: Random, codes: list[DemoCode], weights: list[int], used: Counter):
        self.rng, self.codes, self.weights, self.used = rng, codes, weights, used

    def draw(
        self, *, at: datetime, channel_id: int, customer_id: int, lines: list[tuple[int, Decimal]]
    ) -> CodeUse | None:
        """A code for an order of `lines` [(category id, line total)] placed at `at`, in about
        CODE_SHARE of the orders: one of the codes that would be accepted for it, if any."""
        if not self.codes or self.rng.random() >= CODE_SHARE:
            return None
        usable = []
        for code, weight in zip(self.codes, self.weights, strict=True):
            if not code.valid_at(at, channel_id):
                continue
            limit = code.max_uses_per_customer
            if limit is not None and self.used[code.id, customer_id] >= limit:
                continue
            eligible = [not code.category_ids or category in code.category_ids for category, _ in lines]
            total = sum((amount for (_, amount), ok in zip(lines, eligible, strict=True) if ok), pricing.ZERO)
            if any(eligible) and total >= code.min_subtotal:
                usable.append((code, eligible, total, weight))
        if not usable:
            return None
        code, eligible, total, _ = self.rng.choices(usable, weights=[choice[3] for choice in usable])[0]
        self.used[code.id, customer_id] += 1
        return CodeUse(
            code, eligible, pricing.code_discount(kind=code.kind, value=code.value, eligible_total=total)
        )
