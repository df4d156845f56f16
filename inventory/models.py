from django.conf import settings
from django.db import models

from catalog.models import Product


class Stock(models.Model):
    """Quantity on hand of one product: a cached sum of its movements."""

    product = models.OneToOneField(Product, on_delete=models.PROTECT, related_name="stock")
    quantity = models.IntegerField(default=0)
    low_stock_threshold = models.PositiveIntegerField(default=10)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product_id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="inventory_stock_not_negative"),
        ]
        permissions = [("manage_stock", "Can adjust stock")]

    def __str__(self) -> str:
        return f"{self.product.sku}: {self.quantity}"

    @property
    def is_low(self) -> bool:
        return self.quantity <= self.low_stock_threshold


class MovementReason(models.TextChoices):
    RESTOCK = "restock"
    CORRECTION = "correction"
    DAMAGE = "damage"
    RETURN = "return"
    SALE = "sale"
    CANCELLATION = "cancellation"


# Reasons a person may give for a manual adjustment; the others come from orders.
ADJUSTMENT_REASONS = (
    MovementReason.RESTOCK,
    MovementReason.CORRECTION,
    MovementReason.DAMAGE,
    MovementReason.RETURN,
)


class StockMovement(models.Model):
    """Append-only stock ledger: one row per change of a Stock row."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock_movements")
    delta = models.IntegerField()
    quantity_before = models.IntegerField()
    quantity_after = models.IntegerField()
    reason = models.CharField(max_length=16, choices=MovementReason.choices)
    # The order a sale, cancellation or return belongs to, by id: orders sit right of inventory
    # in the layers, so the ledger names it without a relation (orders are never deleted).
    order_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["product", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.product_id} {self.delta:+d} ({self.reason})"
