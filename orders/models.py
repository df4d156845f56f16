from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce, Lower

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


class SalesRecord(models.Model):
    """Append-only sales ledger: one row per order line when paid, negative rows on reversal
    (the units a refund names, or the whole order when it is cancelled after payment)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="sales_records")
    order_item = models.ForeignKey(OrderItem, on_delete=models.PROTECT, related_name="sales_records")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="sales_records")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="sales_records"
    )
    channel = models.ForeignKey(SalesChannel, on_delete=models.PROTECT, related_name="sales_records")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    quantity = models.IntegerField()
    revenue = models.DecimalField(max_digits=14, decimal_places=2)
    cost = models.DecimalField(max_digits=14, decimal_places=2)
    sold_at = models.DateTimeField()
    # What the order discount took off this sale (the line's share); 0 on reversals, which
    # give back revenue, not discount.
    discount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # On the rows of the reversal that leaves nothing of the order sold (a cancellation, the
    # refund of the last units): analytics count the order as reversed once, that day.
    reverses_order = models.BooleanField(default=False)

    class Meta:
        ordering = ["-sold_at", "-id"]
        indexes = [
            models.Index(fields=["sold_at"]),
            models.Index(fields=["product", "sold_at"]),
            models.Index(fields=["category", "sold_at"]),
            models.Index(fields=["channel", "sold_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.product_id}: {self.quantity} for {self.revenue}"


# The sales ledger's rollups: its rows summed per UTC day (and month) and per what analytics
# filters and groups by. `orders.ledger.sales_ledger_append` adds every new ledger row to
# them in the same transaction, so they are always exact; `sales_rollup_rebuild` recomputes
# them from the ledger. A missing category is keyed as 0 in the unique constraints, because
# SQL treats NULLs as distinct and the row would otherwise be created twice. The unique
# constraints' indexes serve every read. Foreign keys have neither an index nor a database
# constraint: the rows are sums of ledger rows, whose own foreign keys already guarantee
# what they point to, and checking the rollups' 900,000 rows again would make a rebuild
# more than twice as slow. (Django still refuses to delete what they point to.)


class SalesTotals(models.Model):
    """Net units, revenue and cost of a rollup row of one channel and category, and the
    discounts given on its sales; the subclasses add the rest of the key."""

    channel = models.ForeignKey(
        SalesChannel, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    quantity = models.IntegerField(default=0)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    cost = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    discount = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        abstract = True


class DailySales(SalesTotals):
    """Net units, revenue and cost of one UTC day, channel and category."""

    day = models.DateField()

    class Meta:
        verbose_name = verbose_name_plural = "daily sales"
        constraints = [
            models.UniqueConstraint(
                "day", "channel", Coalesce("category", 0), name="orders_dailysales_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel_id}/{self.category_id}: {self.revenue}"


class ProductSales(SalesTotals):
    """Net units, revenue and cost of one product, category and channel on one UTC day,
    and again for the whole month (`whole_month`, dated the month's first day).

    Product rankings over any dates add up the month rows of the whole months and the day
    rows of the days at either end: a year is a dozen rows per product and channel.
    """

    whole_month = models.BooleanField()
    day = models.DateField()
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="rollup_sales", db_index=False, db_constraint=False
    )

    class Meta:
        verbose_name = verbose_name_plural = "product sales"
        constraints = [
            # (whole_month, day) first: it serves the date ranges of both kinds of rows.
            models.UniqueConstraint(
                "whole_month",
                "day",
                "product",
                Coalesce("category", 0),
                "channel",
                name="orders_productsales_unique_key",
            ),
        ]

    def __str__(self) -> str:
        period = f"{self.day:%Y-%m}" if self.whole_month else f"{self.day}"
        return f"{period} {self.product_id}: {self.revenue}"


class DailyOrders(models.Model):
    """Orders paid and orders reversed (refunded or cancelled after payment) on one UTC day
    and channel. Each order is paid once, on one day, so the days add up to distinct orders."""

    day = models.DateField()
    channel = models.ForeignKey(
        SalesChannel, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    orders_sold = models.PositiveIntegerField(default=0)
    orders_reversed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "daily orders"
        constraints = [
            models.UniqueConstraint(fields=["day", "channel"], name="orders_dailyorders_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel_id}: +{self.orders_sold} -{self.orders_reversed}"


class CustomerTotals(models.Model):
    """Orders paid and net revenue (refunds included) of one customer through one channel;
    the subclasses add the period."""

    channel = models.ForeignKey(
        SalesChannel, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    orders_sold = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        abstract = True


class DailyCustomers(CustomerTotals):
    """One customer's ledger rows of one UTC day and channel (a refund-only day is a row
    with no order paid). The buyers of any window are the distinct customers of its rows
    with `orders_sold`, not a sum; recency, frequency and value as of any day add up from
    here without the ledger."""

    day = models.DateField()

    class Meta:
        verbose_name = verbose_name_plural = "daily customers"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "channel", "customer"], name="orders_dailycustomers_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel_id}: {self.customer_id}"


class CustomerSales(CustomerTotals):
    """One customer's sales through one channel over all time, with the first and the last
    day of a paid order. Recency, frequency and value as of today, and each customer's first
    purchase, read from here: one row per customer and channel instead of one per day."""

    # Null only for reversals without a sale, which no service writes.
    first_day = models.DateField(null=True)
    last_day = models.DateField(null=True)

    class Meta:
        verbose_name = verbose_name_plural = "customer sales"
        constraints = [
            models.UniqueConstraint(fields=["channel", "customer"], name="orders_customersales_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.customer_id}: {self.orders_sold} orders, {self.revenue}"


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
