"""Filter validation shared by the JSON API and the HTML reports.

Every analytics question takes the common filters (start, end, category, channel, product);
some add their own (`by`, `limit`, `group_by`, the compare periods). A bad value is a field
error: the API answers 400 with `{field: [messages]}`, the reports show it next to the field.
"""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.functional import cached_property

from analytics.periods import PERIODS, period_dates
from analytics.selectors import (
    ABC_METRICS,
    COMPARISONS,
    GROUPINGS,
    INVENTORY_STATES,
    LINE_KINDS,
    RANKING_METRICS,
    RFM_SEGMENT_NAMES,
    LineFilters,
    SalesFilters,
)
from catalog.models import Category, Product, SalesChannel
from catalog.selectors import category_descendant_ids
from inventory.models import Location
from salesbackend.zone import sales_date, sales_today

ISO_DATE = ["%Y-%m-%d"]
DEFAULT_LIMIT = 10
DEFAULT_LEADERS_LIMIT = 3
MAX_LIMIT = 100
PERIOD_FIELDS = ("period1_start", "period1_end", "period2_start", "period2_end")
# The queries look at the day after an inclusive end and at the period after the last one;
# the calendar (Python's date) ends at 9999-12-31, so the filters stop a year before it.
LATEST_DATE = date(9998, 12, 31)
# What the pages and the API cover without dates or a period: every sale there is.
DEFAULT_PERIOD_LABEL = "All time"
CUSTOM_DATES_LABEL = "Custom dates"
DATE_FIELDS = ("start", "end", "as_of")
PERIOD_CHOICES = [(name, name.replace("_", " ").capitalize()) for name in PERIODS]
COMPARE_CHOICES = [
    ("previous_period", "Previous period"),
    ("previous_year", "Previous year"),
    ("none", "None"),
]
DEFAULT_PAGE_COMPARE = "previous_period"


def _date_field(label: str, *, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=ISO_DATE,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
        validators=[MaxValueValidator(LATEST_DATE)],
    )


def _limit_field(default: int) -> forms.IntegerField:
    return forms.IntegerField(
        label="Limit",
        required=False,
        min_value=1,
        max_value=MAX_LIMIT,
        widget=forms.NumberInput(attrs={"placeholder": str(default)}),
    )


class SalesFilterForm(forms.Form):
    """The common filters. Dates are inclusive calendar days of the business (SALES_TIME_ZONE);
    a relative `period` may stand for both, judged from the business's today."""

    period = forms.ChoiceField(
        label="Period",
        choices=[("", DEFAULT_PERIOD_LABEL), *PERIOD_CHOICES],
        required=False,
        help_text="Instead of From and To.",
    )
    start = _date_field("From")
    end = _date_field("To")
    category = forms.ModelChoiceField(
        queryset=Category.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="All categories",
        help_text="Includes its sub-categories.",
    )
    channel = forms.ModelChoiceField(
        queryset=SalesChannel.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label="All channels",
    )
    # An API filter; the report pages only carry it along in the URL.
    product = forms.ModelChoiceField(queryset=Product.objects.all(), required=False, widget=forms.HiddenInput)
    # Blank (the API's default) or `none`: no comparison; the pages default to the previous period.
    compare = forms.ChoiceField(label="Compare with", choices=COMPARE_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The blank period names what it stands for: every sale, or the dates typed beside it.
        period = self.fields.get("period")
        if isinstance(period, forms.ChoiceField):
            dates = [name for name in DATE_FIELDS if name in self.fields and self.data.get(name)]
            blank = CUSTOM_DATES_LABEL if dates else DEFAULT_PERIOD_LABEL
            period.choices = [("", blank), *PERIOD_CHOICES]

    def clean_compare(self) -> str | None:
        """The comparison asked for, None for none."""
        compare = self.cleaned_data["compare"]
        return compare if compare in COMPARISONS else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("period"):
            if cleaned.get("start") or cleaned.get("end"):
                self.add_error("period", "Give a period or start and end dates, not both.")
                return cleaned
            cleaned["start"], cleaned["end"] = period_dates(cleaned["period"], sales_date(timezone.now()))
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date must not be before the start date.")
        return cleaned

    @cached_property
    def sales_filters(self) -> SalesFilters:
        """The validated filters as the selectors take them (after is_valid()); one
        category-tree query however many reports a page shows."""
        data = self.cleaned_data
        category = data.get("category")
        return SalesFilters(
            start=data.get("start"),
            end=data.get("end"),
            category_ids=tuple(sorted(category_descendant_ids(category=category))) if category else None,
            channel_id=data["channel"].pk if data.get("channel") else None,
            product_id=data["product"].pk if data.get("product") else None,
        )


class ProductRankingForm(SalesFilterForm):
    by = forms.ChoiceField(
        label="Rank by", choices=[(m, m.capitalize()) for m in RANKING_METRICS], required=False
    )
    limit = _limit_field(DEFAULT_LIMIT)

    def clean_by(self) -> str:
        return self.cleaned_data.get("by") or RANKING_METRICS[0]

    def clean_limit(self) -> int:
        return self.cleaned_data.get("limit") or DEFAULT_LIMIT


DEFAULT_GROUPING = "month"


class RevenueForm(SalesFilterForm):
    group_by = forms.ChoiceField(label="Group by", choices=[(g, g.capitalize()) for g in GROUPINGS])

    def __init__(self, data=None, *args, **kwargs):
        # Months by default; put it in the data so the page's select shows what the chart uses.
        if data is not None and not data.get("group_by"):
            data = data.copy()
            data["group_by"] = DEFAULT_GROUPING
        super().__init__(data, *args, **kwargs)


class CategoryLeadersForm(SalesFilterForm):
    limit = _limit_field(DEFAULT_LEADERS_LIMIT)

    def clean_limit(self) -> int:
        return self.cleaned_data.get("limit") or DEFAULT_LEADERS_LIMIT


class CompareForm(SalesFilterForm):
    """Two date ranges compared under the same category/channel/product filters."""

    period = None
    start = None
    end = None
    compare = None  # it is a comparison itself
    period1_start = _date_field("Period 1 from", required=True)
    period1_end = _date_field("Period 1 to", required=True)
    period2_start = _date_field("Period 2 from", required=True)
    period2_end = _date_field("Period 2 to", required=True)

    field_order = PERIOD_FIELDS

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for period in ("period1", "period2"):
            start, end = cleaned.get(f"{period}_start"), cleaned.get(f"{period}_end")
            if start and end and start > end:
                self.add_error(f"{period}_end", "The end date must not be before the start date.")
        return cleaned

    @staticmethod
    def default_periods(today: date) -> dict[str, str]:
        """The last 30 days against the 30 days before them: what a manager asks first."""
        period2_start = today - timedelta(days=29)
        period1_end = period2_start - timedelta(days=1)
        return {
            "period1_start": (period1_end - timedelta(days=29)).isoformat(),
            "period1_end": period1_end.isoformat(),
            "period2_start": period2_start.isoformat(),
            "period2_end": today.isoformat(),
        }


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    """Form errors in DRF's shape: field → messages, non-field ones as `non_field_errors`."""
    return {
        ("non_field_errors" if field == forms.forms.NON_FIELD_ERRORS else field): list(messages)
        for field, messages in form.errors.items()
    }


class AbcForm(SalesFilterForm):
    by = forms.ChoiceField(label="Value", choices=[(m, m.capitalize()) for m in ABC_METRICS], required=False)

    def clean_by(self) -> str:
        return self.cleaned_data.get("by") or ABC_METRICS[0]


class InventoryForm(SalesFilterForm):
    """Stock against the sales of the last `window_days` days (to the business's today)."""

    period = None
    start = None
    end = None
    window_days = forms.IntegerField(label="Sales window (days)", required=False, min_value=1, max_value=365)
    lead_days = forms.IntegerField(label="Lead time (days)", required=False, min_value=0, max_value=365)
    safety_days = forms.IntegerField(label="Safety stock (days)", required=False, min_value=0, max_value=365)
    state = forms.ChoiceField(
        label="State", required=False, choices=[("", "All"), *((s, s.capitalize()) for s in INVENTORY_STATES)]
    )
    location = forms.ModelChoiceField(
        label="Location",
        queryset=Location.objects.order_by("-priority", "code"),
        to_field_name="code",
        required=False,
        empty_label="All locations",
        help_text="Its stock against what orders took from it.",
    )
    DEFAULTS = {"window_days": 30, "lead_days": 7, "safety_days": 7}

    def clean_location(self) -> str | None:
        """The location's code (the report's cache key holds text), None for every location."""
        location = self.cleaned_data.get("location")
        return location.code if location else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name, default in self.DEFAULTS.items():
            if cleaned.get(name) is None:
                cleaned[name] = default
        cleaned["state"] = cleaned.get("state") or None
        today = sales_date(timezone.now())
        cleaned["start"] = today - timedelta(days=cleaned["window_days"] - 1)
        cleaned["end"] = today
        return cleaned


class RfmForm(SalesFilterForm):
    """Customers scored as of a day (the business's today by default). A `period` or an `end` sets that
    day to the span's last one, as on the other pages: only sales up to it count."""

    start = None
    end = forms.DateField(  # the API's `end`; the page asks for "As of", which means the same
        required=False,
        input_formats=ISO_DATE,
        widget=forms.HiddenInput,
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
        validators=[MaxValueValidator(LATEST_DATE)],
    )
    as_of = _date_field("As of")
    segment = forms.ChoiceField(
        label="Segment",
        required=False,
        choices=[("", "All"), *((s, s.replace("_", " ")) for s in RFM_SEGMENT_NAMES)],
    )
    page = forms.IntegerField(
        label="Page", required=False, min_value=1, max_value=100000, widget=forms.HiddenInput
    )
    page_size = forms.IntegerField(
        label="Per page", required=False, min_value=1, max_value=500, widget=forms.HiddenInput
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        span_end = cleaned.get("end")  # the period's last day, or the end given
        if span_end and cleaned.get("as_of"):
            self.add_error("as_of", "Give a day to score as of or a period (or end), not both.")
        # Customers are scored over all their history up to that day, never from a start.
        cleaned["start"] = cleaned["end"] = None
        cleaned["as_of"] = cleaned.get("as_of") or span_end or sales_date(timezone.now())
        cleaned["segment"] = cleaned.get("segment") or None
        cleaned["page"] = cleaned.get("page") or 1
        cleaned["page_size"] = cleaned.get("page_size") or 100
        return cleaned


class LinesForm(SalesFilterForm):
    """The common filters plus a customer (id) and a kind of line, for the drill-down."""

    customer = forms.IntegerField(
        label="Customer id",
        required=False,
        min_value=1,
        max_value=2**63 - 1,  # a bigint: larger is a 400, not a database error
        error_messages={"invalid": "Enter a customer id (a whole number)."},
    )
    kind = forms.ChoiceField(
        label="Lines",
        required=False,
        choices=[("", "Sales and reversals"), *((kind, f"{kind.capitalize()}s") for kind in LINE_KINDS)],
    )

    @cached_property
    def line_filters(self) -> LineFilters:
        data = self.cleaned_data
        return LineFilters(
            sales=self.sales_filters, customer_id=data.get("customer"), kind=data.get("kind") or None
        )


FREQUENCY_LABELS = {"daily": "Daily", "weekly": "Weekly, on Mondays", "monthly": "Monthly, on the 1st"}


class SubscribeForm(forms.Form):
    """The report pages' Subscribe control: how often and at what hour; the page gives the rest."""

    frequency = forms.ChoiceField(label="Send", choices=list(FREQUENCY_LABELS.items()), initial="weekly")
    hour = forms.TypedChoiceField(
        label="At",
        coerce=int,
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        initial=7,
        error_messages={"invalid_choice": "Choose an hour from 00:00 to 23:00."},
    )


class TargetsForm(SalesFilterForm):
    """Targets as of a day (default today, UTC); each target carries its own filters."""

    period = None
    start = None
    end = None
    category = None
    channel = None
    product = None
    as_of = _date_field("As of")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["as_of"] = cleaned.get("as_of") or sales_today()
        return cleaned
