from django.apps import AppConfig


class CatalogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import Category, Product
        from .selectors import category_tree_changed, products_changed

        # Cache invalidation only (no business rule): whoever writes, cached readers follow.
        # Stock moves through inventory's services, which say so themselves; reviews are
        # watched by the orders app, which holds them.
        for model, changed in (
            (Category, category_tree_changed),
            (Product, products_changed),
        ):
            for signal in (post_save, post_delete):
                signal.connect(
                    lambda sender, changed=changed, **kwargs: changed(),
                    sender=model,
                    weak=False,
                    dispatch_uid=f"cache-versions-{model.__name__}-{signal is post_save}",
                )
