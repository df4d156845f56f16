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
