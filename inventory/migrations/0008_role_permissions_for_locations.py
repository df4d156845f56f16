"""The roles learn the permissions of locations (the CEO manages them; staff read them through
`manage_stock`), which came after the role groups; also the admin's view of location rows."""

from django.db import migrations

from accounts.roles import sync_role_groups


def sync_roles(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0007_stock_total_trigger"),
        ("orders", "0015_allocations"),
        ("accounts", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
