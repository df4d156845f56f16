"""A small hand-built sales ledger whose every number is worked out in the comments.

Products (price/cost are irrelevant: sales carry their own snapshots):
  A  Phone A    category phones (child of electronics)   sold 200.00, 2 units, cost 120
  B  Laptop B   category electronics                     sold 200.00, 4 units, cost 120
  C  Novel C    category books                           sold  60.00, 3 units, cost 15 (one order reversed)
  H  Atlas H    category books                           sold  40.00, 2 units, cost 16
  D  Unsold D   books, active, no sales       -> appears among the bottom sellers
  E  Old E      books, archived, no sales     -> never listed
  F  Hidden F   phones, inactive, no sales    -> never listed

Ledger (UTC), 9 records, revenue 500.00, cost 271.00, 11 units:
  2026-01-05 web    O1 (cust X)  A +1 100/60   C +2  40/10
  2026-01-20 retail O2 (cust Y)  B +2 100/60   H +2  40/16
  2026-03-10 web    O3 (cust X)  A +1 100/60   B +2 100/60
  2026-03-15 phone  O4 (cust Z)  C +3  60/15
  2026-03-20 phone  O4 reversed  C -3 -60/-15  (cancelled after payment)
  2026-03-25 retail O5 (cust Y)  C +1  20/5    (at 23:30, the last minute of the day matters)
Plus a pending and a cancelled-before-payment order: no records, never counted.

The records are written through `orders.ledger.sales_ledger_append`, as payments and
reversals write them, so the rollups hold them too.
"""

import re
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from accounts.tests.factories import CustomerFactory
from analytics.selectors import sources
from catalog.models import ProductStatus
from catalog.tests.factories import CategoryFactory, ProductFactory, channel
from orders.ledger import SALE_FIELDS, reversal_rows, sale_rows, sales_ledger_append, sold_line
from orders.models import Order, OrderStatus, SalesRecord
from orders.tests.factories import OrderFactory, OrderItemFactory


def page_text(html: str) -> str:
    """A report page as a reader sees it: the `data-kind` marks for the browser checks dropped."""
    return re.sub(r' data-kind="[a-z_]+"', "", html)


def at(day: str, clock: str = "12:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=UTC)


def record_sale(order, sold_at: datetime, *lines: tuple) -> list[SalesRecord]:
    """Pay `order`: one record per (product, quantity, revenue, cost) line, written at once
    as a payment writes them."""
    items = [
        OrderItemFactory(
            order=order,
            product=product,
            quantity=quantity,
            unit_price=Decimal(revenue) / quantity,
            unit_cost=Decimal(cost) / quantity,
            line_total=Decimal(revenue),
        )
        for product, quantity, revenue, cost in lines
    ]
    return sales_ledger_append(rows=sale_rows([sold_line(order, item) for item in items], at=sold_at))


def record_reversal(sales: list[SalesRecord], sold_at: datetime) -> list[SalesRecord]:
    """Refund or cancel after payment: a negative copy of every record of the sale."""
    sale_values = [{field: getattr(sale, field) for field in SALE_FIELDS} for sale in sales]
    return sales_ledger_append(rows=reversal_rows(sale_values, at=sold_at))


@pytest.fixture(params=["rollups", "ledger"])
def sales_source(request, monkeypatch):
    """Run a test twice: answers from the rollups where they are exact, and from the ledger
    wherever a rollup and the ledger could answer (per-product questions always read ProductSales)."""
    if request.param == "ledger":
        monkeypatch.setattr(sources, "_source", lambda rollup, *, exact: SalesRecord)
    return request.param


@pytest.fixture
def ledger(db):
    electronics = CategoryFactory(slug="electronics", name="Electronics")
    phones = CategoryFactory(slug="phones", name="Phones", parent=electronics)
    books = CategoryFactory(slug="books", name="Books")
    product = SimpleNamespace(
        A=ProductFactory(sku="A", name="Phone A", category=phones),
        B=ProductFactory(sku="B", name="Laptop B", category=electronics),
        C=ProductFactory(sku="C", name="Novel C", category=books),
        H=ProductFactory(sku="H", name="Atlas H", category=books),
        D=ProductFactory(sku="D", name="Unsold D", category=books),
        E=ProductFactory(sku="E", name="Old E", category=books, status=ProductStatus.ARCHIVED),
        F=ProductFactory(sku="F", name="Hidden F", category=phones, status=ProductStatus.INACTIVE),
    )
    x, y, z = CustomerFactory(), CustomerFactory(), CustomerFactory()
    web, retail, phone = channel("web"), channel("retail"), channel("phone")
    paid = OrderStatus.PAID
    o1 = OrderFactory(customer=x, channel=web, status=paid)
    o2 = OrderFactory(customer=y, channel=retail, status=paid)
    o3 = OrderFactory(customer=x, channel=web, status=paid)
    o4 = OrderFactory(customer=z, channel=phone, status=OrderStatus.CANCELLED)
    o5 = OrderFactory(customer=y, channel=retail, status=paid)
    A, B, C, H = product.A, product.B, product.C, product.H
    record_sale(o1, at("2026-01-05"), (A, 1, "100.00", "60.00"), (C, 2, "40.00", "10.00"))
    record_sale(o2, at("2026-01-20"), (B, 2, "100.00", "60.00"), (H, 2, "40.00", "16.00"))
    record_sale(o3, at("2026-03-10"), (A, 1, "100.00", "60.00"), (B, 2, "100.00", "60.00"))
    reversed_sale = record_sale(o4, at("2026-03-15"), (C, 3, "60.00", "15.00"))
    record_reversal(reversed_sale, at("2026-03-20"))
    record_sale(o5, at("2026-03-25", "23:30"), (C, 1, "20.00", "5.00"))
    for status in (OrderStatus.PENDING, OrderStatus.CANCELLED):
        OrderItemFactory(
            order=OrderFactory(customer=x, channel=web, status=status), product=product.A, quantity=5
        )
    # Orders are dated when placed (auto_now_add): back-date them to their first sale, the others to February.
    for order in (o1, o2, o3, o4, o5):
        Order.objects.filter(pk=order.pk).update(created_at=order.sales_records.earliest("sold_at").sold_at)
    Order.objects.filter(sales_records__isnull=True).update(created_at=at("2026-02-10"))
    return SimpleNamespace(
        product=product,
        category=SimpleNamespace(electronics=electronics, phones=phones, books=books),
        customers=(x, y, z),
    )
