"""Filter pieces shared by the apps' filter sets."""

import django_filters
from django import forms


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


class IdFilter(django_filters.NumberFilter):
    """A whole id within the database's range: "1.5" is a 400, not rounded to another
    row's id, and a 30-digit number is a 400, not an integer overflow in the database."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)
