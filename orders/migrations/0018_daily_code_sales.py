import django.db.models.deletion
from django.db import migrations, models


def fill_from_the_ledger(apps, schema_editor):
    """Every rollup again from the ledger, the new one with them, the rollups locked against
    payments meanwhile (they wait, then add to the new rows), as a rebuild does."""
    from orders.ledger.rollups import sales_rollup_fill, sales_rollups_lock

    sales_rollups_lock(app_registry=apps)
    sales_rollup_fill(app_registry=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_review_to_orders"),
        ("orders", "0017_sales_ledger_carries_the_discount_code"),
    ]

    operations = [
        migrations.CreateModel(
            name="DailyCodeSales",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("shard", models.PositiveSmallIntegerField(db_default=0, default=0)),
                ("day", models.DateField()),
                ("revenue", models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ("discount", models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ("orders_sold", models.PositiveIntegerField(default=0)),
                ("orders_reversed", models.PositiveIntegerField(default=0)),
                (
                    "channel",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.saleschannel",
                    ),
                ),
                (
                    "discount_code",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orders.discountcode",
                    ),
                ),
            ],
            options={
                "verbose_name": "daily code sales",
                "verbose_name_plural": "daily code sales",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "channel", "discount_code", "shard"),
                        name="orders_dailycodesales_unique_key",
                    )
                ],
            },
        ),
        migrations.RunPython(fill_from_the_ledger, migrations.RunPython.noop),
    ]
