from django.apps import AppConfig


class DemoConfig(AppConfig):
    """seed_demo and its data generator: uses every app's services; nothing imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
