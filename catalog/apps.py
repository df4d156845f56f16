from django.apps import AppConfig


class CatalogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import Category
        from .selectors import category_tree_changed

        # Cache invalidation only (no business rule): whoever writes a category, readers follow.
        def changed(sender, **kwargs) -> None:
            category_tree_changed()

        post_save.connect(changed, sender=Category, weak=False, dispatch_uid="category-tree-save")
        post_delete.connect(changed, sender=Category, weak=False, dispatch_uid="category-tree-delete")
