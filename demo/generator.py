"""Demo data: one user per role, a catalog with stock, customers and 18 months of orders.

`python manage.py seed_demo` calls `demo_seed`. Demo users go through `accounts.services.
user_create` (their role groups and audit entries as a real installation has them). Categories
and products come from the demo's factories with an opening stock movement each, but no audit
entry apiece: one audit entry records the whole seed. Order history is bulk-loaded by
`demo.history` with the ledger's own row builders; the sales rollups are rebuilt from the
ledger at the end, in the same transaction.
"""

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from random import Random
from time import perf_counter
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone
from factory.random import reseed_random
from faker import Faker

from accounts.roles import Role
from accounts.services import user_create
from audit.models import AuditAction
from audit.services import record
from catalog.models import Category, Product, ProductStatus
from inventory.models import Stock
from orders import pricing
from orders.ledger import sales_ledger_partitions_ensure, sales_rollup_rebuild
from orders.ledger.rollups import SALES_ROLLUP_COLUMNS
from orders.models import (
    Order,
    OrderItem,
    OrderStatusChange,
    SalesRecord,
)

from .bulk import BULK_BATCH_SIZE, historical_timestamps
from .catalog_data import BRANDS, CATALOG, SERIES, Node
from .discounts import demo_discount_codes_ensure
from .factories import CategoryFactory, ProductFactory
from .history import DemoCustomer, DemoProduct, Log, demo_orders_create

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
EARLY_CUSTOMERS = 0.3  # of the customers joined before the history starts
LOW_STOCK_EVERY = 10  # one product in this many is at or below its low-stock threshold
LOCALES = {"en_GB": "GB", "de_DE": "DE", "fr_FR": "FR", "nl_NL": "NL", "en_US": "US", "es_ES": "ES"}


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


def _join_times(*, count: int, rng: Random, start: datetime, now: datetime) -> list[datetime]:
    """When the customers joined: some before the history starts (its first buyers), the rest
    spread over its months, each month getting its share (the cohort report's "new customers"
    is never an empty month when there are at least as many customers as months)."""
    months, month = [], start
    while month < now:
        following = (month.replace(day=1) + timedelta(days=32)).replace(
            day=1, hour=0, minute=0, second=0, microsecond=0
        )
        months.append((month, min(following, now - timedelta(hours=6))))
        month = following
    early = max(1, round(count * EARLY_CUSTOMERS)) if count > len(months) else 0
    times = [start - timedelta(days=rng.uniform(1, 400)) for _ in range(early)]
    for index in range(count - early):
        month_start, month_end = months[index % len(months)]
        times.append(month_start + (month_end - month_start) * rng.random())
    return times


def demo_customers_create(
    *, count: int, rng: Random, faker: Faker, start: datetime, now: datetime
) -> list[DemoCustomer]:
    """Customer accounts (no usable password: they are data, not logins), in bulk."""
    joined = _join_times(count=count, rng=rng, start=start, now=now)
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
            date_joined=joined[n - offset],
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
        DemoCustomer(id=user.pk, address=address, weight=rng.paretovariate(1.6), joined=user.date_joined)
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
    with historical_timestamps(Product._meta.get_field("created_at")):
        for index in range(count):
            category, node = leaves[index % len(leaves)] if index < len(leaves) else rng.choice(leaves)
            is_new = index >= count - new_launches
            price = _charm_price(rng, *node.prices)
            quantity = rng.choice((0, 3, 8)) if rng.random() < 0.15 else rng.randint(15, 400)
            threshold = rng.choice((5, 10, 10, 20))
            # A few active products running low, for the dashboard's "Low stock" table.
            low = index % LOW_STOCK_EVERY == LOW_STOCK_EVERY // 2
            if low:
                quantity, threshold = rng.choice((0, 2, 4, 10)), 10
            product = ProductFactory(
                sku=f"{_ascii(category.slug)[:3].upper()}-{offset + index:05d}",
                name=f"{rng.choice(BRANDS)} {rng.choice(SERIES)} {rng.choice(node.products)}",
                price=price,
                cost_price=pricing.to_cents(price * Decimal(rng.uniform(0.4, 0.75))),
                status=ProductStatus.ACTIVE
                if is_new or low or rng.random() < 0.94
                else rng.choice((ProductStatus.INACTIVE, ProductStatus.ARCHIVED)),
                category=category,
                created_by=created_by,
                created_at=now - timedelta(days=rng.uniform(1, 14))
                if is_new
                else history_start - timedelta(days=rng.uniform(1, 90)),
                stock=quantity,
                stock__low_stock_threshold=threshold,
            )
            demo = DemoProduct(
                product.pk, product.sku, product.name, category.pk, product.price, product.cost_price
            )
            (launches if is_new else sellers).append(demo)
    return sellers, launches


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
            people = demo_customers_create(
                count=customers, rng=rng, faker=faker, start=history_start, now=now
            )
            # The demo accounts are older than the history they take part in.
            joined = history_start - timedelta(days=30)
            User.objects.filter(pk__in=[u.pk for u in users.values()], date_joined__gt=joined).update(
                date_joined=joined
            )
            demo_customer = User.objects.get(pk=users["customer"].pk)
            people.append(
                DemoCustomer(
                    demo_customer.pk,
                    _demo_address(demo_customer),
                    weight=5.0,
                    joined=demo_customer.date_joined,
                )
            )
        with _timed(result, "discount codes", log):
            codes = demo_discount_codes_ensure(actor=users["ceo"], start=history_start, now=now, rng=rng)
        with _timed(result, "orders", log):
            # The history's months get their ledger partitions first (PostgreSQL): nothing may
            # land in the default partition.
            sales_ledger_partitions_ensure(since=history_start, now=now)
            order_counts = demo_orders_create(
                count=orders,
                rng=rng,
                products=sellers or launches,
                customers=people,
                staff=[users["sales"], users["ceo"]],
                start=history_start,
                now=now,
                log=log,
                codes=codes,
            )
        with _timed(result, "sales rollups", log):
            sales_rollup_rebuild(actor=None)
        result.counts = {
            "customers": customers,
            "products": len(sellers) + len(launches),
            "categories": Category.objects.count(),
            "discount_codes": len(codes.codes),
            "low_stock_products": Stock.objects.filter(
                product__status=ProductStatus.ACTIVE, quantity__lte=models.F("low_stock_threshold")
            ).count(),
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
                *SALES_ROLLUP_COLUMNS,
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
