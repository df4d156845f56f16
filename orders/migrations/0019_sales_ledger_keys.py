"""Ledger ids unique across the monthly partitions again (PostgreSQL): a table of every id, filled
from the ledger, and a trigger that writes each new row's id there in the same statement.

A row trigger on the partitioned table is cloned onto every partition, present and attached
later. Moving rows out of the DEFAULT partition (`orders.ledger.partitions`) inserts them into
the new month's table before it is attached, so their ids, already here, are not written again.
"""

from django.db import migrations, models

from orders.ledger.partitions import LEDGER_TABLE

KEYS = "orders_salesledgerkey"
FUNCTION = "orders_sales_ledger_key"
TRIGGER = "orders_sales_ledger_key"
KEY_FUNCTION = """
CREATE FUNCTION orders_sales_ledger_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orders_salesledgerkey (id) VALUES (NEW.id);
    RETURN NULL;
END $$
"""


def keys_on(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'INSERT INTO "{KEYS}" (id) SELECT id FROM "{LEDGER_TABLE}"')  # noqa: S608
    schema_editor.execute(KEY_FUNCTION)
    schema_editor.execute(
        f'CREATE TRIGGER {TRIGGER} AFTER INSERT ON "{LEDGER_TABLE}" '
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
    )


def keys_off(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{LEDGER_TABLE}"')
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0018_daily_code_sales"),
    ]

    operations = [
        migrations.CreateModel(
            name="SalesLedgerKey",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
            ],
            options={
                "verbose_name": "sales ledger key",
            },
        ),
        migrations.RunPython(keys_on, keys_off),
    ]
