"""The product's total (`inventory_stock.quantity`) follows its location rows in the database:
a trigger adds each location row's change to its total, in the same statement. Placement then
writes one UPDATE for the stock it takes, as before locations, and no writer (service, admin,
raw SQL) can let the total drift from the sum of its locations."""

from django.db import migrations

SQLITE = [
    """
    CREATE TRIGGER inventory_location_stock_total_insert AFTER INSERT ON inventory_locationstock
    WHEN NEW.quantity <> 0 BEGIN
        UPDATE inventory_stock SET quantity = quantity + NEW.quantity WHERE id = NEW.stock_id;
    END
    """,
    """
    CREATE TRIGGER inventory_location_stock_total_update AFTER UPDATE OF quantity ON inventory_locationstock
    WHEN NEW.quantity <> OLD.quantity BEGIN
        UPDATE inventory_stock SET quantity = quantity + NEW.quantity - OLD.quantity,
            updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now')
        WHERE id = NEW.stock_id;
    END
    """,
    """
    CREATE TRIGGER inventory_location_stock_total_delete AFTER DELETE ON inventory_locationstock
    WHEN OLD.quantity <> 0 BEGIN
        UPDATE inventory_stock SET quantity = quantity - OLD.quantity WHERE id = OLD.stock_id;
    END
    """,
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS inventory_location_stock_total_{event}"
    for event in ("insert", "update", "delete")
]

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION inventory_location_stock_total() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.quantity <> 0 THEN
            UPDATE inventory_stock SET quantity = quantity - OLD.quantity, updated_at = now()
            WHERE id = OLD.stock_id;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.quantity <> 0 THEN
            UPDATE inventory_stock SET quantity = quantity + NEW.quantity, updated_at = now()
            WHERE id = NEW.stock_id;
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER inventory_location_stock_total
    AFTER INSERT OR DELETE OR UPDATE OF quantity ON inventory_locationstock
    FOR EACH ROW EXECUTE FUNCTION inventory_location_stock_total()
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS inventory_location_stock_total ON inventory_locationstock",
    "DROP FUNCTION IF EXISTS inventory_location_stock_total()",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("inventory", "0006_movement_location_required")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
