"""Each ledger row carries its order's discount code, filled here for the rows already written,
so the discounts report groups coded sales without joining the orders."""

import django.db.models.deletion
from django.db import migrations, models

# Both databases say it the same way; on PostgreSQL the partitioned ledger takes it at its parent.
FILL = """
UPDATE orders_salesrecord
   SET discount_code_id = (
       SELECT o.discount_code_id FROM orders_order o WHERE o.id = orders_salesrecord.order_id)
 WHERE order_id IN (SELECT id FROM orders_order WHERE discount_code_id IS NOT NULL)
"""


def fill_codes(apps, schema_editor):
    schema_editor.execute(FILL)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0016_rollup_line_counts_and_product_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="salesrecord",
            name="discount_code",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orders.discountcode",
            ),
        ),
        # Going back drops the column, so there is nothing to undo.
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="salesrecord",
            index=models.Index(
                condition=models.Q(("discount_code__isnull", False)),
                fields=["discount_code", "sold_at"],
                name="orders_sale_code_sold_at",
            ),
        ),
    ]
