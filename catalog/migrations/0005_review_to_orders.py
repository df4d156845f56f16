"""Review now belongs to orders (orders 0005 took it over); only the state changes here.
Then the role groups are synced, so the customers' `orders.write_review` exists and is
granted even where there was no catalog permission to move (a fresh database)."""

from django.db import migrations

from accounts.roles import sync_role_groups


def sync_roles(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_role_permissions_for_tokens"),
        ("catalog", "0004_product_sku_without_slash"),
        ("orders", "0005_review_from_catalog"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Review")],
            database_operations=[],
        ),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
