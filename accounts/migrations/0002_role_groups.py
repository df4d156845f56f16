from django.db import migrations

from accounts.roles import sync_role_groups


def create_role_groups(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("analytics", "0001_initial"),
        ("audit", "0001_initial"),
        ("catalog", "0002_default_channels"),
        ("inventory", "0002_initial"),
        ("orders", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
