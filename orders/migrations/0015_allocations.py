"""Order items' allocations as a view over the stock ledger (see `orders.models.Allocation`):
an item's sale movements at a location less the cancellations there, by (order, product)."""

import django.db.models.deletion
from django.db import migrations, models

VIEW = """
CREATE VIEW orders_allocation AS
SELECT MIN(m.id) AS id, i.id AS item_id, m.location_id AS location_id, -SUM(m.delta) AS quantity
FROM orders_orderitem i
JOIN inventory_stockmovement m ON m.order_id = i.order_id AND m.product_id = i.product_id
WHERE m.reason IN ('sale', 'cancellation')
GROUP BY i.id, m.location_id
HAVING SUM(m.delta) < 0
"""


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0006_movement_location_required"),
        ("orders", "0014_sales_ledger_partitioned_by_month"),
    ]

    operations = [
        migrations.CreateModel(
            name="Allocation",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("quantity", models.IntegerField()),
                (
                    "item",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="allocations",
                        to="orders.orderitem",
                    ),
                ),
                (
                    "location",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="inventory.location",
                    ),
                ),
            ],
            options={
                "db_table": "orders_allocation",
                "ordering": ["item_id", "location_id"],
                "managed": False,
            },
        ),
        migrations.RunSQL(VIEW, "DROP VIEW IF EXISTS orders_allocation"),
    ]
