"""The sales rollups that analytics read always equal the sales ledger, whatever happens
to orders through orders.services; a rebuild repairs them; the ledger version moves on at
every commit that records a sale."""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F, Sum

from accounts.tests.factories import CustomerFactory
from audit.models import AuditEntry
from catalog.tests.factories import CategoryFactory, ProductFactory, channel
from orders.ledger import (
    SALES_LEDGER_VERSION_KEY,
    append,
    rollups,
    sale_rows,
    sales_ledger_append,
    sales_ledger_version,
    sales_rollup_differences,
    sales_rollup_rebuild,
    sold_line,
)
from orders.models import (
    CustomerSales,
    DailyCustomers,
    DailyOrders,
    DailySales,
    OrderStatus,
    ProductSales,
    SalesRecord,
)
from orders.services import order_cancel, order_set_status
from orders.tasks import verify_sales_rollups
from orders.tests.factories import SalesRecordFactory, place_order

D = Decimal
S = OrderStatus


@contextmanager
def moment(iso: str):
    """Everything in the block happens at this UTC time (sales are dated by timezone.now())."""
    with mock.patch(
        "django.utils.timezone.now", return_value=datetime.fromisoformat(iso).replace(tzinfo=UTC)
    ):
        yield


def move(order, *statuses, actor):
    for status in statuses:
        if status == S.CANCELLED:
            order = order_cancel(order=order, actor=actor)
        else:
            order = order_set_status(order=order, to_status=status, actor=actor)
    return order


@pytest.fixture
def products():
    # the loose product has no category: its rollup rows are keyed by a missing category
    return (
        ProductFactory(price=D("100.00"), cost_price=D("60.00"), category=CategoryFactory(), stock=100),
        ProductFactory(price=D("15.00"), cost_price=D("5.00"), category=CategoryFactory(), stock=100),
        ProductFactory(price=D("50.00"), cost_price=D("20.00"), category=None, stock=100),
    )


def daily_orders() -> dict:
    """Orders paid and reversed per day and channel, summed over the rollup's shards."""
    rows = DailyOrders.objects.values_list("day", "channel__code").annotate(
        sold=Sum("orders_sold"), reversed=Sum("orders_reversed")
    )
    return {(day, code): (sold, reversed_) for day, code, sold, reversed_ in rows}


@pytest.mark.django_db
def test_rollups_equal_the_ledger_after_placements_payments_cancellations_and_refunds(
    customer, other_customer, salesperson, products
):
    phone, novel, loose = products
    kept = place_order(customer=customer, products={phone: 1, novel: 2})
    by_phone = place_order(
        customer=other_customer,
        actor=salesperson,
        channel_code="phone",
        discount=D("10.00"),
        products={phone: 2, loose: 1},
    )
    cancelled_after_payment = place_order(customer=customer, products={novel: 3})
    refunded = place_order(customer=other_customer, products={phone: 1, loose: 2})
    never_paid = place_order(customer=customer, products={novel: 1})

    with moment("2026-01-31T23:59:59"):  # the last second of January
        for order in (kept, by_phone, cancelled_after_payment):
            move(order, S.PAID, actor=salesperson)
    with moment("2026-02-01T00:00:00"):
        move(refunded, S.PAID, S.SHIPPED, S.DELIVERED, actor=salesperson)
        move(cancelled_after_payment, S.CANCELLED, actor=salesperson)
    with moment("2026-02-10T09:00:00"):
        move(refunded, S.REFUNDED, actor=salesperson)
        move(never_paid, S.CANCELLED, actor=customer)

    assert sales_rollup_differences() == {}
    assert daily_orders() == {
        (date(2026, 1, 31), "web"): (2, 0),
        (date(2026, 1, 31), "phone"): (1, 0),
        (date(2026, 2, 1), "web"): (1, 1),
        (date(2026, 2, 10), "web"): (0, 1),
    }
    # per customer, day and channel: orders paid and net revenue, refund-only days included
    assert set(
        DailyCustomers.objects.values_list("day", "channel__code", "customer_id", "orders_sold", "revenue")
    ) == {
        (date(2026, 1, 31), "web", customer.pk, 2, D("175.00")),
        (date(2026, 1, 31), "phone", other_customer.pk, 1, D("240.00")),
        (date(2026, 2, 1), "web", customer.pk, 0, D("-45.00")),
        (date(2026, 2, 1), "web", other_customer.pk, 1, D("200.00")),
        (date(2026, 2, 10), "web", other_customer.pk, 0, D("-200.00")),
    }
    # per customer and channel: the days of paid orders (a later reversal is none), orders, net revenue
    assert set(
        CustomerSales.objects.values_list(
            "channel__code", "customer_id", "first_day", "last_day", "orders_sold", "revenue"
        )
    ) == {
        ("web", customer.pk, date(2026, 1, 31), date(2026, 1, 31), 2, D("130.00")),
        ("phone", other_customer.pk, date(2026, 1, 31), date(2026, 1, 31), 1, D("240.00")),
        ("web", other_customer.pk, date(2026, 2, 1), date(2026, 2, 1), 1, D("0.00")),
    }
    # 130 kept + 45 cancelled on the web, 250 - 10 discount by phone on the 31st
    assert dict(
        DailySales.objects.filter(day=date(2026, 1, 31)).values_list("channel__code").annotate(Sum("revenue"))
    ) == {
        "web": D("175.00"),
        "phone": D("240.00"),
    }
    # the discounts given, on the day of the sale only (a reversal gives back revenue)
    assert dict(DailySales.objects.values_list("channel__code").annotate(Sum("discount"))) == {
        "web": D("0.00"),
        "phone": D("10.00"),
    }
    # the loose product: 1 by phone, 2 refunded (sold and reversed in February)
    loose_rows = ProductSales.objects.filter(product=loose, category__isnull=True)
    assert sorted(loose_rows.values_list("whole_month", "day").annotate(Sum("quantity"), Sum("lines"))) == [
        (False, date(2026, 1, 31), 1, 1),
        (False, date(2026, 2, 1), 2, 1),
        (False, date(2026, 2, 10), -2, 1),  # the reversal is a line of its own
        (True, date(2026, 1, 1), 1, 1),
        (True, date(2026, 2, 1), 0, 2),
    ]
    # the lines each day's rows sum, sales and reversals alike: every ledger row once
    assert dict(DailySales.objects.values_list("day").annotate(Sum("lines"))) == {
        date(2026, 1, 31): 5,  # kept 2 lines, by phone 2, cancelled after payment 1
        date(2026, 2, 1): 3,  # refunded's 2 lines, the cancellation's reversal 1
        date(2026, 2, 10): 2,  # the refund's reversal of 2 lines
    }
    assert DailySales.objects.aggregate(Sum("lines"))["lines__sum"] == SalesRecord.objects.count() == 10


@pytest.mark.django_db
def test_a_sale_written_around_the_services_is_found_and_repaired_by_a_rebuild(ceo):
    SalesRecordFactory()  # a raw insert: no rollup knows it

    assert sales_rollup_differences() == {
        "DailySales": 1,
        "ProductSales": 2,  # its day row and its month row
        "DailyOrders": 1,
        "DailyCustomers": 1,
        "CustomerSales": 1,
    }
    written = sales_rollup_rebuild(actor=ceo)

    assert sales_rollup_differences() == {}
    assert DailySales.objects.get().lines == 1
    assert written == {
        "DailySales": 1,
        "ProductSales": 2,
        "DailyOrders": 1,
        "DailyCodeSales": 0,  # a sale without a code
        "DailyCustomers": 1,
        "CustomerSales": 1,
    }
    entry = AuditEntry.objects.get(entity_type="orders.salesrollup")
    assert (entry.actor, entry.changes["ProductSales"]) == (ceo, [None, 2])


@pytest.mark.django_db
def test_the_nightly_check_rebuilds_only_rollups_that_differ(customer, salesperson, products, caplog):
    order = place_order(customer=customer, products={products[0]: 1})
    move(order, S.PAID, actor=salesperson)

    assert verify_sales_rollups() == {}
    assert not AuditEntry.objects.filter(entity_type="orders.salesrollup").exists()

    DailySales.objects.update(revenue=D("1.00"))
    with caplog.at_level(logging.ERROR, logger="orders.services"):
        assert verify_sales_rollups() == {"DailySales": 2}  # the wrong row out, the right one in

    assert sales_rollup_differences() == {}
    assert "differ from the ledger" in caplog.text

    ProductSales.objects.filter(whole_month=True).update(lines=F("lines") + 1)  # the money still right
    assert verify_sales_rollups() == {"ProductSales": 2}
    assert ProductSales.objects.get(whole_month=True).lines == 1


@pytest.mark.django_db
def test_the_rebuild_command_reports_what_it_wrote_and_what_differed(customer, salesperson, products):
    move(place_order(customer=customer, products={products[1]: 2}), S.PAID, actor=salesperson)
    out = StringIO()

    call_command("rebuild_sales_rollup", stdout=out)
    call_command("rebuild_sales_rollup", "--verify", stdout=out)
    DailyOrders.objects.all().delete()
    call_command("rebuild_sales_rollup", "--verify", stdout=out)

    assert "DailySales: 1 rows" in out.getvalue()
    assert "The sales rollups equal the ledger." in out.getvalue()
    assert "DailyOrders: 1" in out.getvalue()
    assert sales_rollup_differences() == {}


@pytest.mark.django_db
def test_seed_demo_rebuilds_the_rollups_from_its_bulk_loaded_ledger():
    call_command("seed_demo", customers=4, products=12, orders=30, seed=7, stdout=StringIO())

    assert SalesRecord.objects.filter(quantity__lt=0).exists()
    assert ProductSales.objects.filter(whole_month=True).exists()
    assert sales_rollup_differences() == {}


@pytest.mark.django_db
def test_an_order_is_sold_once_in_the_ledger(customer, salesperson, products):
    order = move(place_order(customer=customer, products={products[0]: 1}), S.PAID, actor=salesperson)
    sale = SalesRecord.objects.get(order=order)
    again = sale_rows([sold_line(order, sale.order_item)], at=sale.sold_at)

    # The ledger takes no savepoint of its own: the caller's transaction rolls back whole.
    with pytest.raises(ValueError, match="already in the sales ledger"), transaction.atomic():
        sales_ledger_append(rows=again)

    assert SalesRecord.objects.filter(order=order).count() == 1
    assert sales_rollup_differences() == {}


@pytest.mark.django_db
def test_the_ledger_version_moves_on_when_a_sale_commits_not_before(
    customer, salesperson, products, django_capture_on_commit_callbacks
):
    order = place_order(customer=customer, products={products[0]: 1})
    before = sales_ledger_version()

    with django_capture_on_commit_callbacks() as on_commit:
        move(order, S.PAID, actor=salesperson)
    uncommitted = sales_ledger_version()
    for callback in on_commit:
        callback()

    assert uncommitted == before
    assert sales_ledger_version() == before + 1


@pytest.mark.django_db
def test_a_lost_version_starts_again_past_every_number_given_before(
    customer, salesperson, products, django_capture_on_commit_callbacks
):
    first = sales_ledger_version()
    cache.delete(SALES_LEDGER_VERSION_KEY)  # flushed or evicted
    with django_capture_on_commit_callbacks(execute=True):  # and bumped while missing
        move(place_order(customer=customer, products={products[0]: 1}), S.PAID, actor=salesperson)
    after_bump = sales_ledger_version()
    cache.delete(SALES_LEDGER_VERSION_KEY)

    assert after_bump > first
    assert sales_ledger_version() > after_bump + 1


# ---------------------------------------------------------------------------- PostgreSQL, in parallel


def _in_parallel(calls) -> list:
    """Run every call at once, each in its own thread and database connection."""
    start = threading.Barrier(len(calls))

    def run(call):
        try:
            start.wait(timeout=30)
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_parallel_payments_and_rebuilds_lose_no_sale_and_never_deadlock(customer, salesperson, settings):
    settings.ORDER_MAX_PENDING_PER_CUSTOMER = 0  # one customer's many unpaid orders
    with transaction.atomic():  # stock_create locks the new stock row
        first = ProductFactory(price=D("10.00"), cost_price=D("4.00"), stock=100)
        second = ProductFactory(price=D("20.00"), cost_price=D("9.00"), stock=100)
    # half the orders list the products the other way round: same rollup rows, other line order
    orders = [
        place_order(customer=customer, products={first: 1, second: 1} if n % 2 else {second: 1, first: 1})
        for n in range(12)
    ]
    payments = [lambda order=order: move(order, S.PAID, actor=salesperson) for order in orders]

    _in_parallel([*payments, sales_rollup_rebuild, sales_rollup_rebuild])

    assert sales_rollup_differences() == {}
    assert DailyOrders.objects.filter(channel=channel("web")).aggregate(Sum("orders_sold")) == {
        "orders_sold__sum": 12
    }
    assert DailySales.objects.aggregate(total=Sum("revenue"))["total"] == D("360.00")


def _pay_in_parallel_holding(orders, salesperson, monkeypatch, seconds: float) -> float:
    """Pay `orders` at once, each payment holding its transaction open `seconds` after adding
    to the rollups (as a slow request would); returns the wall time of them all."""
    add = append.sales_rollups_add

    def add_then_hold(records):
        add(records)
        time.sleep(seconds)

    monkeypatch.setattr(append, "sales_rollups_add", add_then_hold)
    started = time.monotonic()
    _in_parallel([lambda order=order: move(order, S.PAID, actor=salesperson) for order in orders])
    return time.monotonic() - started


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shards", [rollups.ROLLUP_SHARDS, 1], ids=["sharded", "one-row-control"])
def test_parallel_payments_of_one_day_and_product_do_not_queue_on_the_rollup_rows(
    shards, salesperson, monkeypatch
):
    """20 customers pay for the same product, channel and day at once, each payment holding its
    transaction 200 ms: sharded rollups let them overlap (a queue would take 20 x 200 ms), and
    the control with one shard shows the queue the measurement would see."""
    monkeypatch.setattr(rollups, "ROLLUP_SHARDS", shards)
    with transaction.atomic():  # stock_create locks the new stock row
        product = ProductFactory(price=D("10.00"), cost_price=D("4.00"), stock=100)
    # the day's rows exist in every shard, so the payments below only UPDATE (steady state)
    for _ in range(rollups.ROLLUP_SHARDS):
        move(place_order(customer=CustomerFactory(), products={product: 1}), S.PAID, actor=salesperson)
    orders = [place_order(customer=CustomerFactory(), products={product: 1}) for _ in range(20)]

    wall = _pay_in_parallel_holding(orders, salesperson, monkeypatch, seconds=0.2)

    assert sales_rollup_differences() == {}
    paid = DailyOrders.objects.filter(channel=channel("web")).aggregate(Sum("orders_sold"))
    assert paid == {"orders_sold__sum": 20 + rollups.ROLLUP_SHARDS}
    if shards == 1:
        assert wall >= 20 * 0.2
    else:
        assert wall < 20 * 0.2 / 2, f"20 payments took {wall:.2f} s: they queued"
