"""The CEO holds every permission: also those of the token blacklist's models, which did not
exist yet when the role groups were first made (the token pages are read-only, tokens hidden)."""

from django.db import migrations

from accounts.roles import sync_role_groups


def sync(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_role_groups"),
        ("token_blacklist", "0013_alter_blacklistedtoken_options_and_more"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
