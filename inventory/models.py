from django.conf import settings
from django.db import models

from catalog.models import Product, SalesChannel

# The location every shop starts with; adjustments without a location fall back to it.
MAIN_LOCATION = "main"


class LocationKind(models.TextChoices):
    WAREHOUSE = "warehouse"
    STORE = "store"


class Location(models.Model):
    """A warehouse or store that holds stock. A channel sells from the active locations that list
    it; a location listing no channel serves every channel (like `main`, also channels made later)."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=LocationKind.choices, default=LocationKind.WAREHOUSE)
    is_active = models.BooleanField(default=True)
    # Higher sells first (allocation).
    priority = models.IntegerField(default=100)
    channels = models.ManyToManyField(SalesChannel, blank=True, related_name="locations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-priority", "code"]
        permissions = [("manage_locations", "Can manage stock locations")]

    def __str__(self) -> str:
        return self.name


class Stock(models.Model):
    """Quantity on hand of one product over every location: a cached sum of its location rows,
    which move together with it (the product's one number, its threshold judges the sum)."""

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


class LocationStock(models.Model):
    """Quantity of one product at one location: a cached sum of its movements there."""

    # The product's total row, not the product: locking both in one query takes an inner join.
    stock = models.ForeignKey(Stock, on_delete=models.CASCADE, related_name="locations")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="stocks")
    quantity = models.IntegerField(default=0)
    low_stock_threshold = models.PositiveIntegerField(default=10)
    updated_at = models.DateTimeField(auto_now=True)

    # Not stored: whether the location sells for the channel a locker asked about (services._lock).
    serves: bool = True

    class Meta:
        ordering = ["stock__product_id", "location_id"]
        constraints = [
            models.UniqueConstraint(fields=["stock", "location"], name="inventory_one_row_per_location"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="inventory_location_stock_not_negative"
            ),
        ]
        verbose_name = "stock at a location"
        verbose_name_plural = "stock at locations"

    def __str__(self) -> str:
        return f"{self.location_id}: {self.quantity}"

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
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    TRANSFER_LOSS = "transfer_loss"


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
    # Where the units moved; quantity_before/after are that location's.
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="movements")
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
        indexes = [
            models.Index(fields=["product", "-created_at"]),
            models.Index(fields=["product", "location", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.delta:+d} ({self.reason})"


class TransferStatus(models.TextChoices):
    DRAFT = "draft"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    CANCELLED = "cancelled"


class Transfer(models.Model):
    """Units moving from one location to another. Shipped units leave `from_location` and
    belong to no location until received (or put back by a cancellation)."""

    number = models.CharField(max_length=20, unique=True, blank=True)  # TR-YYYY-NNNNNN
    from_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    to_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=TransferStatus.choices, default=TransferStatus.DRAFT)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_location=models.F("to_location")),
                name="inventory_transfer_two_places",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"Transfer {self.pk}"


class TransferLine(models.Model):
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    # Units that arrived; shipped units not received were written off (`transfer_loss`).
    received = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["transfer_id", "product_id"]
        constraints = [
            models.UniqueConstraint(fields=["transfer", "product"], name="inventory_transfer_product_once"),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="inventory_transfer_line_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"
