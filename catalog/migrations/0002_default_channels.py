from django.db import migrations

from catalog.channels import ensure_default_channels


def create_channels(apps, schema_editor):
    ensure_default_channels(apps.get_model("catalog", "SalesChannel"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create_channels, migrations.RunPython.noop)]
