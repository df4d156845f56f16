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
