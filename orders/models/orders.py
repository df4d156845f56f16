"""Orders, their items, status history, refunds, discount codes, idempotency keys and reviews."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from catalog.models import Category, Product, SalesChannel


class DiscountKind(models.TextChoices):
    PERCENT = "percent"
    FIXED = "fixed"


class DiscountCode(models.Model):
    """A code customers enter at checkout: a percentage or an amount off the eligible lines.

    Its uses are the orders that carry it and were not cancelled, counted with this row locked
    while an order is placed (`orders.services`), so the limits hold under concurrency.
    """

    code = models.CharField(max_length=32, unique=True)
    description = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=8, choices=DiscountKind.choices)
    value = models.DecimalField(max_digits=12, decimal_places=2)
    min_subtotal = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    max_uses_per_customer = models.PositiveIntegerField(null=True, blank=True)
    # Empty means every channel / every category; a category includes its sub-categories.
    channels = models.ManyToManyField(SalesChannel, blank=True, related_name="discount_codes")
    categories = models.ManyToManyField(Category, blank=True, related_name="discount_codes")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(Lower("code"), name="orders_discount_code_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(value__gt=0), name="orders_discount_code_value_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="percent") | models.Q(value__lte=100),
                name="orders_discount_code_percent_at_most_100",
            ),
            models.CheckConstraint(
                condition=models.Q(min_subtotal__gte=0), name="orders_discount_code_min_subtotal_not_negative"
            ),
        ]
        permissions = [("manage_discount_codes", "Can manage discount codes")]

    def __str__(self) -> str:
        return self.code


class OrderStatus(models.TextChoices):
    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class Order(models.Model):
    number = models.CharField(max_length=32, unique=True, null=True, blank=True)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.ForeignKey(SalesChannel, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    tax = models.DecimalField(max_digits=12, decimal_places=2)
    shipping = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    discount_code = models.ForeignKey(
        DiscountCode, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    currency = models.CharField(max_length=3, default="EUR")
    # Addresses are snapshots taken at placement: {name, line1, line2, city, postal_code, country}.
    shipping_address = models.JSONField(encoder=DjangoJSONEncoder)
    billing_address = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set by the confirmation task once the e-mail went out: the order is its own outbox row,
    # so a confirmation that could not be enqueued (broker down) is sent later, and only once.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["channel", "-created_at"]),
            models.Index(fields=["-created_at"]),
        ]
        permissions = [
            ("manage_orders", "Can manage all orders"),
            ("place_order", "Can place own orders"),
        ]

    def __str__(self) -> str:
        return self.number or f"Order #{self.pk}"


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_items")
    # Snapshots at placement: later catalog changes never alter an order.
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    unit_cost = models.DecimalField(max_digits=12, decimal_places=2)
    line_total = models.DecimalField(max_digits=12, decimal_places=2)
    # The line's share of the order discount (staff discount or code), fixed at placement:
    # the sales ledger records line_total - discount as the line's revenue.
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="orders_item_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class Allocation(models.Model):
    """Units of an order item taken from one location, read from the stock ledger: what its
    order's sale movements took there less what cancellations (a pending edit, the order's
    cancellation) gave back. A database view (migration 0015), so placement writes no row of
    its own; cancellation and refunds put units back where these say they came from."""

    # The first movement that took from this location: rows in the order they were made.
    id = models.BigIntegerField(primary_key=True)
    item = models.ForeignKey(
        OrderItem, on_delete=models.DO_NOTHING, db_constraint=False, related_name="allocations"
    )
    location = models.ForeignKey(
        "inventory.Location", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    quantity = models.IntegerField()

    class Meta:
        managed = False
        db_table = "orders_allocation"
        ordering = ["item_id", "location_id"]

    def __str__(self) -> str:
        return f"{self.quantity} from {self.location_id}"


class RefundReason(models.TextChoices):
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    NOT_NEEDED = "not_needed"
    OTHER = "other"


class Refund(models.Model):
    """Money paid back for some delivered units of an order (`orders.services.order_refund`):
    its lines' net revenue and tax shares; shipping is not refunded."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)  # the lines' amounts, tax included
    tax = models.DecimalField(max_digits=12, decimal_places=2)
    restocked = models.BooleanField()
    reason = models.CharField(max_length=16, choices=RefundReason.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Refund {self.pk} of {self.order_id}: {self.amount}"


class RefundLine(models.Model):
    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    order_item = models.ForeignKey(OrderItem, on_delete=models.PROTECT, related_name="refund_lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    revenue = models.DecimalField(max_digits=12, decimal_places=2)  # net of the line's discount share
    tax = models.DecimalField(max_digits=12, decimal_places=2)
    amount = models.DecimalField(max_digits=12, decimal_places=2)  # revenue + tax

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="orders_refund_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class OrderStatusChange(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_history")
    from_status = models.CharField(max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=OrderStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key, stored in the transaction that placed the order."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "key"], name="orders_idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}:{self.key}"


class Review(models.Model):
    """A customer's rating of a product they received; written by `orders.services.review_create`."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "customer"], name="orders_review_one_per_customer"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="orders_review_rating_1_to_5"
            ),
        ]
        permissions = [("write_review", "Can review products they received")]

    def __str__(self) -> str:
        return f"{self.product_id} by {self.customer_id}: {self.rating}"
