"""Demo data: one user per role, a catalog with stock, customers and 18 months of orders.

`python manage.py seed_demo` calls `demo_seed`. Users, categories and products go through
the same services and factories as the rest of the code (`user_create`, `ProductFactory`,
`stock_create`), so roles, opening stock movements and audit entries are exactly what a
real installation has.

Orders are different on purpose: a benchmark database needs about a million order lines,
and `orders.services.order_place` plus one `order_set_status` per step would take hours.
So orders, items, status history and sales records are computed in memory and written
in batches (COPY on PostgreSQL, `bulk_create` elsewhere), with the money from
`orders.pricing` and the sales ledger rules of `orders.services` (a positive row per line
when paid, revenue net of the line's share of the discount; a negative copy on refund or
on cancellation after payment).
Historical orders take no stock: a product's stock is its one opening movement, so
`Stock.quantity` still equals the sum of its ledger. The sales rollups are rebuilt from the
ledger at the end, in the same transaction. One audit entry records the seed.
"""

import json
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from itertools import accumulate
from random import Random
from time import perf_counter
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from factory.random import reseed_random
from faker import Faker

from accounts.roles import Role
from accounts.services import user_create
from audit.models import AuditAction
from audit.services import record
from catalog.models import Category, Product, ProductStatus, SalesChannel
from orders import pricing
from orders.ledger import SoldLine, refund_rows, reversal_rows, sale_rows, sales_rollup_rebuild
from orders.models import (
    CustomerSales,
    DailyCustomers,
    DailyOrders,
    DailySales,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
    ProductSales,
    Refund,
    RefundLine,
    RefundReason,
    SalesRecord,
)
from orders.pricing import line_sales

from .factories import CategoryFactory, ProductFactory

User = get_user_model()

DEMO_PASSWORD = "Demo-Pass-2026!"


def demo_password() -> str | None:
    """The published demo password, for local runs only (DJANGO_DEBUG on). With DEBUG off the
    demo accounts get no usable password, so a production database never holds staff
    accounts anyone can sign into with a password printed in the README."""
    return DEMO_PASSWORD if settings.DEBUG else None


# (username, role, first name, last name)
DEMO_USERS = (
    ("ceo", Role.CEO, "Carol", "Chen"),
    ("sales", Role.SALESPERSON, "Sam", "Lopez"),
    ("customer", Role.CUSTOMER, "Cleo", "Martin"),
)
HISTORY_DAYS = 548  # 18 months
BATCH_ORDERS = 2000  # orders computed and written per round trip batch
BULK_BATCH_SIZE = 2000

Log = Callable[[str], None]


# ---------------------------------------------------------------------------- catalog data


@dataclass(frozen=True)
class Node:
    """A category; leaves carry what their products are called and cost (in whole euros)."""

    name: str
    children: tuple["Node", ...] = ()
    products: tuple[str, ...] = ()
    prices: tuple[int, int] = (10, 100)


CATALOG = (
    Node(
        "Electronics",
        (
            Node(
                "Audio",
                (
                    Node(
                        "Headphones",
                        products=(
                            "Wireless Headphones",
                            "Noise-Cancelling Headphones",
                            "In-Ear Buds",
                            "Studio Headphones",
                        ),
                        prices=(25, 380),
                    ),
                    Node(
                        "Speakers",
                        products=("Bluetooth Speaker", "Soundbar", "Bookshelf Speakers", "Smart Speaker"),
                        prices=(30, 600),
                    ),
                ),
            ),
            Node(
                "Computers",
                (
                    Node(
                        "Laptops",
                        products=('Ultrabook 13"', 'Laptop 15"', 'Gaming Laptop 16"', 'Chromebook 14"'),
                        prices=(380, 2400),
                    ),
                    Node(
                        "Monitors",
                        products=(
                            '27" 4K Monitor',
                            '24" IPS Monitor',
                            '34" Ultrawide Monitor',
                            "Portable Monitor",
                        ),
                        prices=(140, 900),
                    ),
                    Node(
                        "Computer Accessories",
                        products=(
                            "Mechanical Keyboard",
                            "Wireless Mouse",
                            "USB-C Hub",
                            "Webcam 1080p",
                            "Laptop Stand",
                        ),
                        prices=(12, 180),
                    ),
                ),
            ),
            Node(
                "Phones & Tablets",
                (
                    Node(
                        "Smartphones",
                        products=("Smartphone 128 GB", "Smartphone 256 GB", "Compact Phone"),
                        prices=(199, 1300),
                    ),
                    Node("Tablets", products=('Tablet 11"', "E-Reader", "Drawing Tablet"), prices=(99, 1100)),
                    Node(
                        "Phone Accessories",
                        products=(
                            "Phone Case",
                            "Screen Protector",
                            "Fast Charger 30W",
                            "Power Bank 10000 mAh",
                        ),
                        prices=(8, 70),
                    ),
                ),
            ),
        ),
    ),
    Node(
        "Home & Kitchen",
        (
            Node(
                "Kitchen",
                (
                    Node(
                        "Cookware",
                        products=("Cast Iron Skillet", "Non-Stick Pan Set", "Dutch Oven", "Chef's Knife"),
                        prices=(18, 260),
                    ),
                    Node(
                        "Small Appliances",
                        products=("Blender", "Air Fryer", "Electric Kettle", "Toaster"),
                        prices=(25, 320),
                    ),
                    Node(
                        "Coffee & Tea",
                        products=("Espresso Machine", "Burr Grinder", "French Press", "Pour-Over Kettle"),
                        prices=(20, 700),
                    ),
                ),
            ),
            Node(
                "Furniture",
                products=("Office Chair", "Standing Desk", "Bookcase", "Side Table"),
                prices=(60, 850),
            ),
            Node(
                "Lighting",
                products=("Desk Lamp", "Floor Lamp", "LED Strip", "Pendant Light"),
                prices=(15, 240),
            ),
        ),
    ),
    Node(
        "Sports & Outdoors",
        (
            Node(
                "Fitness",
                products=("Yoga Mat", "Adjustable Dumbbells", "Resistance Bands", "Kettlebell"),
                prices=(12, 420),
            ),
            Node(
                "Camping",
                products=("2-Person Tent", "Sleeping Bag", "Camping Stove", "Headlamp"),
                prices=(15, 480),
            ),
            Node(
                "Cycling",
                products=("Bike Helmet", "Bike Lights Set", "Cycling Gloves", "Bike Lock"),
                prices=(12, 160),
            ),
        ),
    ),
    Node(
        "Clothing",
        (
            Node(
                "Men",
                products=("Merino T-Shirt", "Chino Trousers", "Rain Jacket", "Hoodie"),
                prices=(20, 220),
            ),
            Node(
                "Women",
                products=("Linen Shirt", "Running Leggings", "Wool Coat", "Knit Sweater"),
                prices=(20, 260),
            ),
            Node(
                "Shoes",
                products=("Running Shoes", "Leather Boots", "Trail Sneakers", "Sandals"),
                prices=(35, 240),
            ),
        ),
    ),
    Node(
        "Books",
        (
            Node(
                "Fiction", products=("Crime Novel", "Fantasy Saga Vol. 1", "Literary Novel"), prices=(9, 30)
            ),
            Node("Non-Fiction", products=("Cookbook", "Travel Guide", "History of Trade"), prices=(12, 45)),
            Node(
                "Children's Books",
                products=("Picture Book", "Activity Book", "Bedtime Stories"),
                prices=(6, 22),
            ),
        ),
    ),
)
BRANDS = (
    "Nordvik",
    "Aurora",
    "Kestrel",
    "Lumen",
    "Veloce",
    "Brightwell",
    "Oakridge",
    "Solace",
    "Tundra",
    "Marlow",
    "Zephyr",
    "Halcyon",
    "Ferro",
    "Pinecrest",
    "Quill",
    "Corvid",
)
SERIES = ("Pro", "Air", "Max", "Lite", "One", "Plus", "Classic", "Studio", "Trail", "Urban", "Flex", "Prime")
# Customer locales and the ISO country their addresses are in.
LOCALES = {"en_GB": "GB", "de_DE": "DE", "fr_FR": "FR", "nl_NL": "NL", "en_US": "US", "es_ES": "ES"}
CHANNEL_WEIGHTS = {"web": 60, "retail": 25, "phone": 15}
LINES_PER_ORDER = {1: 10, 2: 14, 3: 18, 4: 18, 5: 16, 6: 13, 7: 11}  # about 4 on average
UNITS_PER_LINE = {1: 60, 2: 22, 3: 10, 4: 5, 5: 3}


# ---------------------------------------------------------------------------- results


@dataclass
class SeedResult:
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


@contextmanager
def _timed(result: SeedResult, phase: str, log: Log) -> Iterator[None]:
    started = perf_counter()
    yield
    result.timings[phase] = perf_counter() - started
    log(f"  {phase}: {result.timings[phase]:.1f} s")


@contextmanager
def _historical_timestamps(*timestamp_fields: models.DateTimeField) -> Iterator[None]:
    """Let rows keep the past times we give them.

    `auto_now`/`auto_now_add` fields are set to "now" on every insert, also by
    `bulk_create`; demo history needs its own times, so the flags are off meanwhile.
    """
    flags = [(f, f.auto_now, f.auto_now_add) for f in timestamp_fields]
    for f, _, _ in flags:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in flags:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


# ---------------------------------------------------------------------------- users


def demo_users_ensure() -> dict[str, Any]:
    """The demo users by username; created with their roles when missing."""
    users = {}
    for username, role, first_name, last_name in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                email=f"{username}@example.com",
                password=demo_password(),
                role=role,
                first_name=first_name,
                last_name=last_name,
            )
        users[username] = user
    return users


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in decomposed.lower() if ch.isalnum())


@dataclass(frozen=True)
class DemoCustomer:
    id: int
    address: dict[str, str]
    weight: float  # how often this customer orders, relative to the others


def demo_customers_create(
    *, count: int, rng: Random, faker: Faker, joined_before: datetime
) -> list[DemoCustomer]:
    """Customer accounts (no usable password: they are data, not logins), in bulk."""
    offset = (User.objects.aggregate(last=models.Max("id"))["last"] or 0) + 1
    unusable = make_password(None)
    people = []
    for n in range(offset, offset + count):
        locale = rng.choice(tuple(LOCALES))
        local_faker = faker[locale]
        first, last = local_faker.first_name(), local_faker.last_name()
        username = f"{_ascii(first)}.{_ascii(last)}{n}"
        address = {
            "name": f"{first} {last}",
            "line1": local_faker.street_address().replace("\n", ", "),
            "line2": "",
            "city": local_faker.city(),
            "postal_code": local_faker.postcode(),
            "country": LOCALES[locale],
        }
        user = User(
            username=username,
            email=f"{username}@example.com",
            first_name=first,
            last_name=last,
            password=unusable,
            date_joined=joined_before - timedelta(days=rng.uniform(1, 400)),
        )
        people.append((user, address))
    users = User.objects.bulk_create([user for user, _ in people], batch_size=BULK_BATCH_SIZE)
    if not all(user.pk for user in users):  # backends that cannot return ids from a bulk insert
        by_name = dict(
            User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk")
        )
        for user in users:
            user.pk = by_name[user.username]
    customer_group = Group.objects.get(name=Role.CUSTOMER.group_name)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=customer_group.pk) for user in users],
        batch_size=BULK_BATCH_SIZE,
    )
    return [
        DemoCustomer(id=user.pk, address=address, weight=rng.paretovariate(1.6))
        for user, (_, address) in zip(users, people, strict=True)
    ]


# ---------------------------------------------------------------------------- catalog


def _categories_create(
    nodes: tuple[Node, ...], parent: Category | None = None
) -> list[tuple[Category, Node]]:
    """The category tree (get or create by slug); returns the leaves with their product data."""
    leaves = []
    for node in nodes:
        category = CategoryFactory(
            name=node.name,
            slug=_slug(node.name),
            parent=parent,
            description=f"{node.name} from brands we trust.",
        )
        if node.children:
            leaves.extend(_categories_create(node.children, category))
        else:
            leaves.append((category, node))
    return leaves


def _slug(name: str) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in name.lower()).split()
    return "-".join(words)


def _charm_price(rng: Random, low: int, high: int) -> Decimal:
    """A shop-like price between low and high euros: 19.99, 249.00, 34.50."""
    euros = int(low * (high / low) ** rng.random())  # log-uniform: more cheap than dear products
    cents = rng.choice((99, 99, 99, 0, 50, 49))
    return Decimal(euros) + Decimal(cents) / 100


@dataclass(frozen=True)
class DemoProduct:
    id: int
    sku: str
    name: str
    category_id: int
    price: Decimal
    cost_price: Decimal


def demo_catalog_create(
    *, count: int, rng: Random, created_by, history_start: datetime, now: datetime
) -> tuple[list[DemoProduct], list[DemoProduct]]:
    """Categories, products and their opening stock.

    Returns (products that sell, new products that have not sold yet): the second kind
    gives the bottom-sellers report its zero-sales rows.
    """
    leaves = _categories_create(CATALOG)
    offset = (Product.objects.aggregate(last=models.Max("id"))["last"] or 0) + 1
    new_launches = count // 20
    sellers, launches = [], []
    with _historical_timestamps(Product._meta.get_field("created_at")):
        for index in range(count):
            category, node = leaves[index % len(leaves)] if index < len(leaves) else rng.choice(leaves)
            is_new = index >= count - new_launches
            price = _charm_price(rng, *node.prices)
            quantity = rng.choice((0, 3, 8)) if rng.random() < 0.15 else rng.randint(15, 400)
            product = ProductFactory(
                sku=f"{_ascii(category.slug)[:3].upper()}-{offset + index:05d}",
                name=f"{rng.choice(BRANDS)} {rng.choice(SERIES)} {rng.choice(node.products)}",
                price=price,
                cost_price=pricing.to_cents(price * Decimal(rng.uniform(0.4, 0.75))),
                status=ProductStatus.ACTIVE
                if is_new or rng.random() < 0.94
                else rng.choice((ProductStatus.INACTIVE, ProductStatus.ARCHIVED)),
                category=category,
                created_by=created_by,
                created_at=now - timedelta(days=rng.uniform(1, 14))
                if is_new
                else history_start - timedelta(days=rng.uniform(1, 90)),
                stock=quantity,
                stock__low_stock_threshold=rng.choice((5, 10, 10, 20)),
            )
            demo = DemoProduct(
                product.pk, product.sku, product.name, category.pk, product.price, product.cost_price
            )
            (launches if is_new else sellers).append(demo)
    return sellers, launches


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


class _Picker:
    """Weighted random choice in O(log n), for choosing among thousands many times."""

    def __init__(self, rng: Random, items: list, weights: list[float]):
        self.rng, self.items = rng, items
        self.cumulative = list(accumulate(weights))

    def pick(self):
        target = self.rng.random() * self.cumulative[-1]
        return self.items[min(bisect_left(self.cumulative, target), len(self.items) - 1)]


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(last=models.Max("id"))["last"] or 0) + 1


Row = dict[str, Any]  # {attname: value} of one row to insert


def _insert_rows(model: type[models.Model], rows: list[Row]) -> None:
    """Insert rows of `model`, each with the same keys.

    PostgreSQL loads them with COPY, several times faster than bulk_create for millions of
    rows (no model instances, no per-value preparation in Python, no INSERT to parse);
    other databases use bulk_create. Either way no signals, no save(): these are data.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        given_times = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.DateTimeField) and f.attname in rows[0]
        ]
        with _historical_timestamps(*given_times):
            model.objects.bulk_create([model(**row) for row in rows], batch_size=BULK_BATCH_SIZE)
        return
    from psycopg.types.json import Jsonb

    given = [model._meta.get_field(attname) for attname in rows[0]]
    # What bulk_create would fill in: the fields' defaults (the database has none of its own).
    defaulted = [f for f in model._meta.concrete_fields if f not in given and not f.primary_key]
    defaults = [f.get_default() for f in defaulted]
    fields = given + defaulted
    json_dumps = {
        position: partial(json.dumps, cls=f.encoder)
        for position, f in enumerate(fields)
        if isinstance(f, models.JSONField)
    }
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = [*row.values(), *defaults]
            for position, dumps in json_dumps.items():
                if values[position] is not None:
                    values[position] = Jsonb(values[position], dumps=dumps)
            copy.write_row(values)


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
            _insert_rows(model, rows)
            counts[name] += len(rows)


class _OrderHistory:
    """Draws orders one at a time into a batch: who, what, how much, and what happened next."""

    def __init__(
        self, *, rng: Random, products: list[DemoProduct], customers: list[DemoCustomer], staff: list
    ):
        self.rng = rng
        # Popularity falls off with rank (a long tail), over a shuffled catalog.
        ranked = rng.sample(products, len(products))
        self.products = _Picker(rng, ranked, [1 / (rank + 3) ** 0.9 for rank in range(len(ranked))])
        self.product_count = len(products)
        self.customers = _Picker(rng, customers, [customer.weight for customer in customers])
        channel_ids = dict(SalesChannel.objects.filter(code__in=CHANNEL_WEIGHTS).values_list("code", "pk"))
        self.channels = _Picker(
            rng, [(code, channel_ids[code]) for code in CHANNEL_WEIGHTS], list(CHANNEL_WEIGHTS.values())
        )
        self.line_counts = _Picker(rng, list(LINES_PER_ORDER), list(LINES_PER_ORDER.values()))
        self.units = _Picker(rng, list(UNITS_PER_LINE), list(UNITS_PER_LINE.values()))
        self.outcomes = _Picker(rng, [o for o, _ in OUTCOME_WEIGHTS], [w for _, w in OUTCOME_WEIGHTS])
        self.staff_ids = [user.pk for user in staff]
        self.next_order_id, self.next_item_id = _next_id(Order), _next_id(OrderItem)
        self.next_refund_id = _next_id(Refund)

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


# ---------------------------------------------------------------------------- the whole seed


def demo_seed(*, customers: int, products: int, orders: int, seed: int, log: Log) -> SeedResult:
    """Everything, in one transaction: a failed seed leaves nothing behind."""
    if min(customers, products, orders) < 0:
        raise ValueError("Counts cannot be negative.")
    result = SeedResult()
    rng = Random(seed)
    faker = Faker(list(LOCALES))
    faker.seed_instance(seed)
    reseed_random(seed)  # the factories' own Faker and random (product descriptions)
    now = timezone.now()
    history_start = now - timedelta(days=HISTORY_DAYS)

    with transaction.atomic():
        with _timed(result, "users", log):
            users = demo_users_ensure()
        with _timed(result, "catalog and stock", log):
            sellers, launches = demo_catalog_create(
                count=products, rng=rng, created_by=users["sales"], history_start=history_start, now=now
            )
        with _timed(result, "customers", log):
            people = demo_customers_create(count=customers, rng=rng, faker=faker, joined_before=history_start)
            demo_customer = users["customer"]
            people.append(DemoCustomer(demo_customer.pk, _demo_address(demo_customer), weight=5.0))
        with _timed(result, "orders", log):
            order_counts = demo_orders_create(
                count=orders,
                rng=rng,
                products=sellers or launches,
                customers=people,
                staff=[users["sales"], users["ceo"]],
                start=history_start,
                now=now,
                log=log,
            )
        with _timed(result, "sales rollups", log):
            sales_rollup_rebuild(actor=None)
        result.counts = {
            "customers": customers,
            "products": len(sellers) + len(launches),
            "categories": Category.objects.count(),
            **order_counts,
        }
        record(
            actor=None,
            action=AuditAction.IMPORT,
            entity_type="seed_demo",
            entity_id=str(seed),
            entity_repr=f"Demo data: {orders:,} orders, {products:,} products, {customers:,} customers",
            changes={name: [None, value] for name, value in result.counts.items()},
        )
    if connection.vendor == "postgresql":
        # Fresh statistics, so the planner picks the analytics indexes right away
        # instead of waiting for autovacuum to notice a million new rows.
        with _timed(result, "analyze", log), connection.cursor() as cursor:
            for model in (
                Order,
                OrderItem,
                OrderStatusChange,
                SalesRecord,
                DailySales,
                ProductSales,
                DailyOrders,
                DailyCustomers,
                CustomerSales,
                Product,
                User,
            ):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return result


def _demo_address(user) -> dict[str, str]:
    return {
        "name": f"{user.first_name} {user.last_name}",
        "line1": "12 Market Street",
        "line2": "",
        "city": "Manchester",
        "postal_code": "M1 1AE",
        "country": "GB",
    }
