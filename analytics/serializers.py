"""Output shapes of the analytics API. They only translate: values arrive rounded.

Money is a decimal string with 2 places. `share` and `margin` are decimal strings with 4
places holding a fraction ("0.2500" is 25 %); `change_pct` is a percentage with 2 places.
A ratio over a zero total is null.
"""

from rest_framework import serializers

from analytics.models import ReportSubscription
from analytics.pages import REPORT_PAGES
from salesbackend.serializers import StrictCharField, StrictModelSerializer

MONEY_HELP = "Decimal string, 2 places."
RATIO_HELP = "Fraction as a decimal string with 4 places (0.2500 = 25 %); null when the total is zero."
ORDERS_HELP = (
    "Net orders: distinct orders with a sale in the window minus distinct orders with a "
    "reversal (refund, cancellation after payment) in the window."
)


def money(**kwargs) -> serializers.DecimalField:
    kwargs.setdefault("help_text", MONEY_HELP)
    return serializers.DecimalField(max_digits=None, decimal_places=2, **kwargs)


def ratio() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=None, decimal_places=4, allow_null=True, help_text=RATIO_HELP)


def orders() -> serializers.IntegerField:
    return serializers.IntegerField(help_text=ORDERS_HELP)


CHANGE_HELP = (
    "With `compare`: (now - previous) / previous x 100, one decimal; null when previous is zero "
    "or there is no earlier span."
)
PREVIOUS_HELP = (
    "With `compare`: the same figure over the earlier span (null without start and end: no span to shift)."
)


def change_pct(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=None, decimal_places=1, allow_null=True, required=False, help_text=CHANGE_HELP, **kwargs
    )


class ComparedFieldsMixin:
    """Fields an answer has only when a comparison was asked for: absent keys are left out, so
    an answer without `compare` reads exactly as before."""

    compared_fields: tuple[str, ...] = ("previous_revenue", "change_pct")

    def to_representation(self, instance):
        data = super().to_representation(instance)  # type: ignore[misc]
        own = {key: value for key, value in data.items() if key not in self.compared_fields}
        # after the answer's own keys, and only those it has
        return own | {key: data[key] for key in self.compared_fields if key in instance}


class SummaryTotalsSerializer(serializers.Serializer):
    revenue = money()
    cost = money()
    profit = money()
    margin = ratio()
    orders = orders()
    units = serializers.IntegerField(help_text="Units sold, net of reversals.")
    average_order_value = money()
    customers = serializers.IntegerField(help_text="Distinct customers with a sale in the window.")
    status_counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Orders placed in the window (by creation date, date and channel filters only) per status.",
    )


class SummarySerializer(ComparedFieldsMixin, SummaryTotalsSerializer):
    compared_fields = ("previous", "change", "previous_start", "previous_end")
    previous = SummaryTotalsSerializer(allow_null=True, required=False, help_text=PREVIOUS_HELP)
    change = serializers.DictField(
        child=serializers.DecimalField(max_digits=None, decimal_places=1, allow_null=True),
        allow_null=True,
        required=False,
        help_text="With `compare`, per figure but status_counts: " + CHANGE_HELP,
    )
    previous_start = serializers.DateField(
        allow_null=True, required=False, help_text="The earlier span's first day."
    )
    previous_end = serializers.DateField(
        allow_null=True, required=False, help_text="The earlier span's last day."
    )


class ProductRankSerializer(ComparedFieldsMixin, serializers.Serializer):
    previous_revenue = money(allow_null=True, required=False, help_text="With `compare`: " + PREVIOUS_HELP)
    change_pct = change_pct()
    rank = serializers.IntegerField(help_text="RANK(): ties share a rank (1, 1, 3).")
    product = serializers.IntegerField(help_text="Product id.")
    sku = serializers.CharField()
    name = serializers.CharField()
    units = serializers.IntegerField()
    revenue = money()
    profit = money()
    share = ratio()


class RevenuePeriodSerializer(ComparedFieldsMixin, serializers.Serializer):
    compared_fields = ("previous_revenue",)
    previous_revenue = money(
        allow_null=True,
        required=False,
        help_text="With `compare`: the bucket at the same offset in the earlier span.",
    )
    period = serializers.DateField(help_text="First day of the period (weeks start on Monday).")
    revenue = money()
    orders = orders()
    units = serializers.IntegerField()
    profit = money()
    running_total = money()
    change = money(allow_null=True)


class PeriodTotalsSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    revenue = money()
    orders = orders()
    units = serializers.IntegerField()


class CompareSerializer(serializers.Serializer):
    period1 = PeriodTotalsSerializer(help_text="The baseline.")
    period2 = PeriodTotalsSerializer()
    difference = money()
    change_pct = serializers.DecimalField(
        max_digits=None,
        decimal_places=2,
        allow_null=True,
        help_text="Revenue change from period1 to period2 in percent; null when period1 has no revenue.",
    )


class CategorySalesSerializer(ComparedFieldsMixin, serializers.Serializer):
    previous_revenue = money(allow_null=True, required=False, help_text="With `compare`: " + PREVIOUS_HELP)
    change_pct = change_pct()
    rank = serializers.IntegerField()
    category = serializers.CharField(allow_null=True, help_text="Category slug recorded with the sale.")
    name = serializers.CharField()
    revenue = money()
    units = serializers.IntegerField()
    profit = money()
    share = ratio()


class ChannelSalesSerializer(ComparedFieldsMixin, serializers.Serializer):
    previous_revenue = money(allow_null=True, required=False, help_text="With `compare`: " + PREVIOUS_HELP)
    change_pct = change_pct()
    rank = serializers.IntegerField()
    channel = serializers.CharField(help_text="Channel code.")
    name = serializers.CharField()
    revenue = money()
    orders = orders()
    share = ratio()


class CategoryLeaderSerializer(serializers.Serializer):
    category = serializers.CharField(allow_null=True)
    category_name = serializers.CharField()
    rank = serializers.IntegerField(help_text="RANK() inside the category by revenue.")
    product = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    revenue = money()
    units = serializers.IntegerField()


class DiscountCodeSalesSerializer(ComparedFieldsMixin, serializers.Serializer):
    previous_revenue = money(allow_null=True, required=False, help_text="With `compare`: " + PREVIOUS_HELP)
    change_pct = change_pct()
    code = serializers.CharField(allow_null=True, help_text="The discount code; null: orders without one.")
    orders = orders()
    discount = money()  # what the code took off the units sold in the window
    revenue = money()
    average_order_value = money()
    share = ratio()


class AbcProductSerializer(serializers.Serializer):
    rank = serializers.IntegerField(help_text="RANK() by value, highest first.")
    product = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    value = serializers.DecimalField(
        max_digits=None, decimal_places=2, help_text="Net revenue, profit or units in the window (`by`)."
    )
    share = ratio()
    cumulative_share = ratio()

    def get_fields(self):
        fields = super().get_fields()
        # `class` is a Python keyword: declared here rather than as an attribute.
        fields["class"] = serializers.ChoiceField(
            choices=["A", "B", "C"], help_text="A up to 80 % cumulative, B up to 95 %, C the rest."
        )
        return fields


class InventoryProductSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    stock = serializers.IntegerField(help_text="Units on hand now.")
    units_per_day = serializers.DecimalField(
        max_digits=None, decimal_places=4, help_text="Net units sold per day over the window."
    )
    days_of_cover = serializers.DecimalField(
        max_digits=None, decimal_places=2, allow_null=True, help_text="Stock / units per day; null: no sales."
    )
    reorder_point = serializers.IntegerField(help_text="Units sold during lead + safety days, rounded up.")
    suggested_order = serializers.IntegerField(help_text="To cover twice lead + safety days (reorder only).")
    state = serializers.ChoiceField(choices=["reorder", "ok", "overstock", "dead"])


class ProductReturnsSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    sku = serializers.CharField()
    units_sold = serializers.IntegerField(help_text="Units sold in the window, before refunds.")
    units_returned = serializers.IntegerField(help_text="Units received back through returns in the window.")
    rate = ratio()
    top_reason = serializers.ChoiceField(
        choices=["damaged", "wrong_item", "not_needed", "other"], help_text="The reason of most returns."
    )


class CustomerPeriodSerializer(serializers.Serializer):
    period = serializers.DateField(help_text="First day of the period.")
    customers = serializers.IntegerField(help_text="Customers with a paid sale in the period.")
    new = serializers.IntegerField(help_text="Of them, buying for the first time.")
    returning = serializers.IntegerField(help_text="Of them, who had bought before.")
    repeat_rate = ratio()
    revenue_per_customer = money()


class CohortMonthSerializer(serializers.Serializer):
    offset = serializers.IntegerField(help_text="Months since the cohort's own month (0).")
    customers = serializers.IntegerField(help_text="Cohort members who bought in that month.")
    share = ratio()


class CohortSerializer(serializers.Serializer):
    cohort = serializers.CharField(help_text="YYYY-MM of the members' first paid sale.")
    customers = serializers.IntegerField()
    retention = CohortMonthSerializer(many=True)


class RfmSegmentSerializer(serializers.Serializer):
    segment = serializers.ChoiceField(
        choices=["champions", "loyal", "new", "at_risk", "lost", "need_attention"],
        help_text="champions: r>=4, f>=4; loyal: r>=3, f>=3; new: r>=4, f<=2; at_risk: r<=2, f>=3; "
        "lost: r<=2, f<=2; need_attention: the rest (first match wins).",
    )
    customers = serializers.IntegerField()
    revenue = money()
    share = ratio()


class RfmCustomerSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    email = serializers.CharField()
    recency_days = serializers.IntegerField(help_text="Days from the last paid sale to as_of.")
    orders = serializers.IntegerField(help_text="Paid orders up to as_of.")
    revenue = money()
    r = serializers.IntegerField(help_text="NTILE(5) by recency: 5 = most recent.")
    f = serializers.IntegerField(help_text="NTILE(5) by orders: 5 = most.")
    m = serializers.IntegerField(help_text="NTILE(5) by net revenue: 5 = most.")
    segment = serializers.CharField()


class RfmSerializer(serializers.Serializer):
    segments = RfmSegmentSerializer(many=True)
    customers = RfmCustomerSerializer(
        many=True, help_text="One page (`page`, `page_size`), of `segment` if given."
    )


class SalesLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The ledger row's id.")
    sold_at = serializers.DateTimeField(help_text="When it was paid (a sale) or reversed, UTC.")
    kind = serializers.ChoiceField(
        choices=["sale", "reversal"], help_text="reversal: a refund or a cancellation after payment."
    )
    order = serializers.IntegerField(help_text="Order id.")
    order_number = serializers.CharField(allow_null=True)
    product = serializers.IntegerField(help_text="Product id.")
    sku = serializers.CharField()
    category = serializers.CharField(allow_null=True, help_text="Category slug recorded with the sale.")
    channel = serializers.CharField(help_text="Channel code.")
    customer = serializers.IntegerField(help_text="Customer (user) id.")
    quantity = serializers.IntegerField(help_text="Units; negative on a reversal.")
    revenue = money()
    cost = money()


class SalesLineTotalsSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(help_text="Net units of every matching line.")
    revenue = money()
    cost = money()


class SalesLinesPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Lines matching the filters.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    totals = SalesLineTotalsSerializer(help_text="Of every matching line, not only this page.")
    results = SalesLineSerializer(many=True)


class ReportSubscriptionSerializer(StrictModelSerializer):
    report = serializers.ChoiceField(choices=tuple(REPORT_PAGES), help_text="A report page.")
    filters = serializers.DictField(
        child=StrictCharField(max_length=100),
        required=False,
        help_text="The page's filters, dates as a relative `period` (e.g. previous_month).",
    )
    hour = serializers.IntegerField(
        min_value=0, max_value=23, help_text="Hour of the day, in SALES_TIME_ZONE."
    )

    class Meta:
        model = ReportSubscription
        fields = ("id", "user", "report", "filters", "frequency", "hour", "is_active", "created_at")
        read_only_fields = ("id", "user", "created_at")
