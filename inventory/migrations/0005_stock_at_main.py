"""Today's stock moves to the location `main` (warehouse, every channel, priority 100): one row
per product there with the product's quantity and threshold, and every movement of the ledger is
at `main`, so every total and the ledger's reconciliation per (product, location) are unchanged."""

from django.db import migrations

BATCH = 2000


def stock_to_main(apps, schema_editor):
    Location = apps.get_model("inventory", "Location")
    Stock = apps.get_model("inventory", "Stock")
    LocationStock = apps.get_model("inventory", "LocationStock")
    StockMovement = apps.get_model("inventory", "StockMovement")
    main, _ = Location.objects.get_or_create(
        code="main", defaults={"name": "Main warehouse", "kind": "warehouse", "priority": 100}
    )
    rows = [
        LocationStock(stock_id=pk, location=main, quantity=quantity, low_stock_threshold=threshold)
        for pk, quantity, threshold in Stock.objects.values_list("pk", "quantity", "low_stock_threshold")
    ]
    LocationStock.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    StockMovement.objects.filter(location__isnull=True).update(location=main)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0004_locations")]

    operations = [migrations.RunPython(stock_to_main, migrations.RunPython.noop)]
