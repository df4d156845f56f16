"""The data migration that puts today's stock at `main`: every total and the ledger's
reconciliation are unchanged, now per (product, location)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Sum

BEFORE = [("inventory", "0003_stock_movement_order_by_id"), ("orders", "0013_returns")]


def _latest(executor: MigrationExecutor) -> list[tuple[str, str]]:
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] in ("inventory", "orders")]


@pytest.mark.django_db(transaction=True)
def test_stock_moves_to_main_with_every_total_and_the_ledger_unchanged():
    executor = MigrationExecutor(connection)
    latest = _latest(executor)
    executor.migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    Product, Stock = old.get_model("catalog", "Product"), old.get_model("inventory", "Stock")
    Movement = old.get_model("inventory", "StockMovement")
    levels = {"A-1": [5, 3, -2], "B-2": [10, -10], "C-3": [7]}  # B-2 sold out
    for sku, deltas in levels.items():
        product = Product.objects.create(sku=sku, name=sku, price="2.00", cost_price="1.00")
        Stock.objects.create(product=product, quantity=sum(deltas), low_stock_threshold=4)
        running = 0
        for delta in deltas:
            Movement.objects.create(
                product=product,
                delta=delta,
                quantity_before=running,
                quantity_after=running + delta,
                reason="restock" if delta > 0 else "sale",
                order_id=None,
            )
            running += delta

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)
    new = MigrationExecutor(connection).loader.project_state(latest).apps
    Stock, Movement = new.get_model("inventory", "Stock"), new.get_model("inventory", "StockMovement")
    LocationStock, Location = (
        new.get_model("inventory", "LocationStock"),
        new.get_model("inventory", "Location"),
    )

    main = Location.objects.get(code="main")
    assert (main.kind, main.priority, main.is_active, main.channels.count()) == ("warehouse", 100, True, 0)
    totals = dict(Stock.objects.values_list("product__sku", "quantity"))
    assert totals == {sku: sum(deltas) for sku, deltas in levels.items()}
    at_main = {row.stock.product.sku: row for row in LocationStock.objects.select_related("stock__product")}
    assert {sku: row.quantity for sku, row in at_main.items()} == totals
    assert {row.location_id for row in at_main.values()} == {main.pk}
    assert {row.low_stock_threshold for row in at_main.values()} == {4}
    ledger = Movement.objects.values("product__sku", "location").annotate(total=Sum("delta"))
    assert {(row["product__sku"], row["location"]): row["total"] for row in ledger} == {
        (sku, main.pk): total for sku, total in totals.items()
    }


def _sums(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {row[0]: row[1] for row in cursor.fetchall()}


TOTALS = "SELECT p.sku, s.quantity FROM inventory_stock s JOIN catalog_product p ON p.id = s.product_id"
LEDGER = (
    "SELECT p.sku, SUM(m.delta) FROM inventory_stockmovement m JOIN catalog_product p ON p.id = m.product_id"
    " GROUP BY p.sku"
)


@pytest.mark.django_db(transaction=True)
def test_a_database_with_orders_refunds_and_movements_migrates_with_totals_and_ledger_unchanged(
    customer, salesperson
):
    """Orders (delivered and partly refunded with restock, cancelled, pending) and an adjustment,
    made before locations existed (the schema of main before issue 23): migrating keeps every
    product's total and its ledger, now all at `main`, and each order's units show as taken there."""
    from catalog.tests.factories import ProductFactory
    from inventory.models import MovementReason
    from inventory.services import stock_adjust
    from orders.models import Allocation
    from orders.models import OrderStatus as S
    from orders.services import order_cancel, order_refund, order_set_status
    from orders.tests.factories import place_order

    lamp, desk = ProductFactory(sku="LAMP", stock=20), ProductFactory(sku="DESK", stock=5)
    delivered = place_order(customer=customer, products={lamp: 3, desk: 1})
    for step in (S.PAID, S.SHIPPED, S.DELIVERED):
        delivered = order_set_status(order=delivered, to_status=step, actor=salesperson)
    order_refund(order=delivered, lines=[{"product": lamp.pk, "quantity": 1}], actor=salesperson)
    cancelled = place_order(customer=customer, products={lamp: 2})
    order_cancel(order=cancelled, actor=customer)
    pending = place_order(customer=customer, products={desk: 2})
    stock_adjust(product=lamp, actor=salesperson, reason=MovementReason.DAMAGE, delta=-1)

    executor = MigrationExecutor(connection)
    latest = _latest(executor)
    executor.migrate(
        [
            ("inventory", "0003_stock_movement_order_by_id"),
            ("orders", "0014_sales_ledger_partitioned_by_month"),
        ]
    )
    totals = _sums(TOTALS)
    assert totals == _sums(LEDGER) == {"LAMP": 20 - 3 + 1 - 1, "DESK": 5 - 1 - 2}

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    assert _sums(TOTALS) == totals
    at_main = _sums(
        "SELECT p.sku, r.quantity FROM inventory_locationstock r JOIN inventory_stock s ON s.id = r.stock_id"
        " JOIN catalog_product p ON p.id = s.product_id JOIN inventory_location l ON l.id = r.location_id"
        " WHERE l.code = 'main'"
    )
    assert at_main == totals
    assert (
        _sums(
            LEDGER.replace(
                " GROUP BY", " JOIN inventory_location l ON l.id = m.location_id AND l.code = 'main' GROUP BY"
            )
        )
        == totals
    )
    taken = {
        (a.item.order_id, a.item.sku, a.location.code, a.quantity)
        for a in Allocation.objects.select_related("item", "location")
    }
    assert taken == {
        (delivered.pk, "LAMP", "main", 3),
        (delivered.pk, "DESK", "main", 1),
        (pending.pk, "DESK", "main", 2),
    }
