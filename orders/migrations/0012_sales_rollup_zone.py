from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def record_the_rollups_zone(apps, schema_editor):
    """Every rollup row so far was added under UTC days (the only zone there was): under UTC,
    say so; under another SALES_TIME_ZONE, rebuild them in its days (which records it)."""
    if settings.SALES_TIME_ZONE == "UTC":
        apps.get_model("orders", "SalesRollupZone").objects.update_or_create(
            pk=1, defaults={"time_zone": "UTC", "built_at": timezone.now()}
        )
        return
    from orders.ledger import sales_rollup_fill

    sales_rollup_fill(app_registry=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0011_sales_record_line_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="SalesRollupZone",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("time_zone", models.CharField(max_length=64)),
                ("built_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "sales rollup time zone",
                "verbose_name_plural": "sales rollup time zone",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="orders_salesrollupzone_one_row"
                    )
                ],
            },
        ),
        migrations.RunPython(record_the_rollups_zone, migrations.RunPython.noop),
    ]
