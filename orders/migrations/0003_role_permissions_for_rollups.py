"""The roles learn the permissions of the sales rollups, which came after the role groups."""

from django.db import migrations

from accounts.roles import sync_role_groups


def sync_roles(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_sales_rollups"),
        ("accounts", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
