"""Filter pieces shared by the apps' filter sets."""

from datetime import UTC

import django_filters
from django import forms
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field


class StrictNullBooleanField(forms.NullBooleanField):
    """`true`/`false` (also `1`/`0`) or absent; any other value is a 400 rather than silently no filter."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        boolean = super().to_python(value)
        if boolean is None:
            raise forms.ValidationError("Enter true or false.", code="invalid")
        return boolean


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictNullBooleanField


# The largest primary key a database row can have (a signed 64-bit integer).
MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """A whole id within the database's range: "1.5" is a 400, not rounded to another
    row's id, and a 30-digit number is a 400, not an integer overflow in the database."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


class UTCDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment, as UTC: an offset PostgreSQL cannot store (beyond +-15:59) or a
    moment outside the calendar once moved to UTC is a 400, not a database error."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC) if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)
        except (OverflowError, ValueError) as exc:
            raise forms.ValidationError("Enter a valid date/time.", code="invalid") from exc


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField
