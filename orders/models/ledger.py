"""The sales ledger (`SalesRecord`, append-only) and its five exact rollups; `orders.ledger`
writes all of them."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce

from catalog.models import Category, Product, SalesChannel

from .orders import DiscountCode, Order, OrderItem


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
    # The order's code, so the discounts report groups coded sales without joining the orders
    # (at ten million lines that join took seconds); the partial index below serves it.
    discount_code = models.ForeignKey(
        DiscountCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
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
            # Analytics' drill-down to the lines, newest first: a customer's, and the reversals
            # (a few per cent of the rows, so the partial index is small and only they write it).
            models.Index(fields=["customer", "sold_at"], name="orders_sale_customer_sold_at"),
            models.Index(
                fields=["sold_at"], condition=models.Q(quantity__lt=0), name="orders_sale_reversal_sold_at"
            ),
            models.Index(
                fields=["discount_code", "sold_at"],
                condition=models.Q(discount_code__isnull=False),
                name="orders_sale_code_sold_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.product_id}: {self.quantity} for {self.revenue}"


class SalesLedgerKey(models.Model):
    """Every sales-ledger id, once. On PostgreSQL the ledger is partitioned by month, and a
    partitioned table's unique keys must hold the partition key: its primary key is (id, sold_at),
    so it no longer keeps an id unique across months by itself. This unpartitioned table's primary
    key does: a trigger on the ledger (migration `orders.0019`) writes each new row's id here in
    the same statement, so a duplicate id fails the insert. (SQLite's ledger is one table with its
    own primary key; nothing writes this table there.)"""

    id = models.BigIntegerField(primary_key=True)

    class Meta:
        verbose_name = "sales ledger key"

    def __str__(self) -> str:
        return str(self.id)


# The sales ledger's rollups: its rows summed per day (and month) of SALES_TIME_ZONE and per what analytics
# filters and groups by. `orders.ledger.sales_ledger_append` adds every new ledger row to
# them in the same transaction, so they are always exact; `sales_rollup_rebuild` recomputes
# them from the ledger. A missing category is keyed as 0 in the unique constraints, because
# SQL treats NULLs as distinct and the row would otherwise be created twice. The unique
# constraints' indexes serve every read. Foreign keys have neither an index nor a database
# constraint: the rows are sums of ledger rows, whose own foreign keys already guarantee
# what they point to, and checking the rollups' 900,000 rows again would make a rebuild
# more than twice as slow. (Django still refuses to delete what they point to.)
#
# The rollups every payment of a day adds to (DailySales, ProductSales, DailyOrders) are split
# into shards: a payment adds to the shard its order id picks, so concurrent payments of one
# day, channel or product lock different rows instead of queueing on one. Readers sum over the
# shards (every read aggregates anyway); a rebuild writes shard 0 only.


class Sharded(models.Model):
    """A rollup row of one shard (`orders.ledger.rollups.ROLLUP_SHARDS` of them per key)."""

    shard = models.PositiveSmallIntegerField(default=0, db_default=0)

    class Meta:
        abstract = True


class SalesTotals(Sharded):
    """Net units, revenue and cost of a rollup row of one channel and category, and the
    discounts given on its sales and how many ledger rows it sums; the subclasses add the rest
    of the key."""

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
    # How many ledger rows (sales and reversals) the row sums: the drill-down's line count.
    lines = models.PositiveIntegerField(default=0, db_default=0)

    class Meta(Sharded.Meta):
        abstract = True


class DailySales(SalesTotals):
    """Net units, revenue and cost of one day (SALES_TIME_ZONE), channel and category."""

    day = models.DateField()

    class Meta:
        verbose_name = verbose_name_plural = "daily sales"
        constraints = [
            models.UniqueConstraint(
                "day", "channel", Coalesce("category", 0), "shard", name="orders_dailysales_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel_id}/{self.category_id}: {self.revenue}"


class ProductSales(SalesTotals):
    """Net units, revenue and cost of one product, category and channel on one day,
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
                "shard",
                name="orders_productsales_unique_key",
            ),
        ]
        indexes = [
            # One product's rows (a ranking's earlier span, a product's line totals): the key's
            # (whole_month, day) first would walk every product's rows of the dates.
            models.Index(fields=["product", "whole_month", "day"], name="orders_productsales_product"),
        ]

    def __str__(self) -> str:
        period = f"{self.day:%Y-%m}" if self.whole_month else f"{self.day}"
        return f"{period} {self.product_id}: {self.revenue}"


class DailyOrders(Sharded):
    """Orders paid and orders reversed (refunded or cancelled after payment) on one day
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
            models.UniqueConstraint(fields=["day", "channel", "shard"], name="orders_dailyorders_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel_id}: +{self.orders_sold} -{self.orders_reversed}"


class DailyCodeSales(Sharded):
    """Net revenue, the discounts given and orders paid and reversed of one day, channel and
    discount code: the discounts report's coded sales without reading the ledger (the orders
    without a code are the day's totals less these). Only coded sales write it."""

    day = models.DateField()
    channel = models.ForeignKey(
        SalesChannel, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    discount_code = models.ForeignKey(
        DiscountCode, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    discount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    orders_sold = models.PositiveIntegerField(default=0)
    orders_reversed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "daily code sales"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "channel", "discount_code", "shard"], name="orders_dailycodesales_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel_id}/{self.discount_code_id}: {self.revenue}"


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
    """One customer's ledger rows of one day and channel (a refund-only day is a row
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


class SalesRollupZone(models.Model):
    """The time zone whose days the rollups were built in (one row): `sales_rollup_fill` writes
    it, and a system check (orders.checks) warns when SALES_TIME_ZONE has changed since, because
    the rows keep the days they were added under until `manage.py rebuild_sales_rollup`."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    time_zone = models.CharField(max_length=64)
    built_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "sales rollup time zone"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="orders_salesrollupzone_one_row")
        ]

    def __str__(self) -> str:
        return self.time_zone
