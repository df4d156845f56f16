from django.apps import AppConfig


class OrdersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orders"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from catalog.selectors import products_changed

        from . import checks  # noqa: F401  (registers the system checks)
        from .models import Review

        # Cache invalidation only (no business rule): product lists show the average rating.
        for signal in (post_save, post_delete):
            signal.connect(
                lambda sender, **kwargs: products_changed(),
                sender=Review,
                weak=False,
                dispatch_uid=f"cache-versions-Review-{signal is post_save}",
            )
