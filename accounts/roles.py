"""Roles are Django groups; what a role may do is the set of permissions its group holds."""

from django.db import models


class Role(models.TextChoices):
    CEO = "ceo", "CEO"
    SALESPERSON = "salesperson", "Salesperson"
    CUSTOMER = "customer", "Customer"

    @property
    def group_name(self) -> str:
        return self.label

    @classmethod
    def from_group_name(cls, name: str) -> "Role | None":
        return next((role for role in cls if role.label == name), None)


STAFF_ROLES = frozenset({Role.CEO, Role.SALESPERSON})

# Permission codenames ("app_label.codename") granted to each role's group; "*" is every one.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.CEO: ("*",),
    Role.SALESPERSON: (
        "accounts.view_customers",
        "analytics.view_sales_reports",
        "analytics.view_reportsubscription",
        "analytics.add_reportsubscription",
        "analytics.change_reportsubscription",
        "analytics.delete_reportsubscription",
        "analytics.view_target",  # targets: read; the CEO sets them
        "analytics.view_reportalert",  # alerts: their own (the CEO's all)
        "analytics.add_reportalert",
        "analytics.change_reportalert",
        "analytics.delete_reportalert",
        "catalog.manage_catalog",
        "catalog.view_category",
        "catalog.add_category",
        "catalog.change_category",
        "catalog.delete_category",
        "catalog.view_product",
        "catalog.add_product",
        "catalog.change_product",
        "catalog.delete_product",
        "catalog.view_saleschannel",
        "orders.view_review",
        "inventory.manage_stock",
        "inventory.view_stock",
        "inventory.change_stock",
        "inventory.view_stockmovement",
        "inventory.view_location",
        "inventory.view_locationstock",
        "inventory.view_transfer",
        "inventory.view_transferline",
        "orders.view_allocation",
        "orders.manage_orders",
        "orders.manage_discount_codes",
        "orders.view_discountcode",
        "orders.add_discountcode",
        "orders.change_discountcode",
        "orders.delete_discountcode",
        "orders.view_order",
        "orders.add_order",
        "orders.change_order",
        "orders.view_orderitem",
        "orders.view_orderstatuschange",
        "orders.view_refund",
        "orders.view_refundline",
        "orders.view_return",
        "orders.change_return",
        "orders.view_returnline",
        "orders.view_returnstatuschange",
        "orders.view_salesrecord",
        "orders.view_dailysales",
        "orders.view_productsales",
        "orders.view_dailyorders",
        "orders.view_dailycustomers",
        "orders.view_customersales",
        "orders.view_idempotencykey",
    ),
    Role.CUSTOMER: (
        "orders.place_order",
        "orders.write_review",
    ),
}


def sync_role_groups(apps) -> None:
    """Create the role groups and give each exactly its permissions.

    Takes an app registry so data migrations can pass their historical one; the
    permissions are created first, since Django only makes them after all migrations.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        had_models_module = getattr(app_config, "models_module", None)
        app_config.models_module = had_models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = had_models_module

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    all_permissions = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in permission_model.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role in Role:
        group, _ = group_model.objects.get_or_create(name=role.group_name)
        granted = ROLE_PERMISSIONS[role]
        group.permissions.set(
            [pk for codename, pk in all_permissions.items() if "*" in granted or codename in granted]
        )
