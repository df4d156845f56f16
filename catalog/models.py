from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class ProductStatus(models.TextChoices):
    ACTIVE = "active"
    INACTIVE = "inactive"
    ARCHIVED = "archived"


class Product(models.Model):
    sku = models.CharField(
        "SKU",
        max_length=64,
        unique=True,
        # a SKU is a URL path segment: /products/sku/{sku}/, /inventory/{sku}/
        validators=[RegexValidator(r"^[^/]+$", message="A SKU cannot contain a slash (/).")],
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    price = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"), message="Ensure this value is greater than 0.")],
    )
    cost_price = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    status = models.CharField(max_length=16, choices=ProductStatus.choices, default=ProductStatus.ACTIVE)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    image_url = models.URLField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gt=0), name="catalog_product_price_positive"),
            models.CheckConstraint(
                condition=models.Q(cost_price__gte=0), name="catalog_product_cost_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "name"]),
            models.Index(fields=["category", "status"]),
            models.Index(fields=["price"]),
        ]
        permissions = [("manage_catalog", "Can manage categories and products")]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def margin(self):
        """Gross margin per unit as a fraction of the price, e.g. 0.35."""
        return unit_margin(self.price, self.cost_price)


def unit_margin(price: Decimal | None, cost_price: Decimal) -> Decimal | None:
    """(price - cost) / price; None without a price."""
    if not price:
        return None
    return (price - cost_price) / price


class SalesChannel(models.Model):
    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        permissions = [("manage_channels", "Can manage sales channels")]

    def __str__(self) -> str:
        return self.name
