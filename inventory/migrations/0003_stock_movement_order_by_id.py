"""A stock movement names its order by id, not by a relation: orders sit right of inventory.

The column `order_id` and its values stay; only the foreign-key constraint goes. The model
state swaps the relation `order` for the plain field `order_id` on the same column.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0002_initial"),
        ("orders", "0009_rollups_per_customer_and_discount"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="stockmovement",
                    name="order",
                    field=models.BigIntegerField(blank=True, null=True, db_index=True, db_column="order_id"),
                ),
            ],
            state_operations=[
                migrations.RemoveField(model_name="stockmovement", name="order"),
                migrations.AddField(
                    model_name="stockmovement",
                    name="order_id",
                    field=models.BigIntegerField(blank=True, null=True, db_index=True),
                ),
            ],
        ),
    ]
