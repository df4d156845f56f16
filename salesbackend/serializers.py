"""Serializer pieces shared by the apps."""

from typing import Any, ClassVar

from django.db import models
from rest_framework import serializers


class ExactlyOneOf(serializers.Serializer):
    """Input that takes exactly one of two fields, refused otherwise with `one_of_message`.

    Not stated in the OpenAPI schema: a oneOf on the object makes generated clients
    (openapi-python-client) drop its model, so the field descriptions say it instead."""

    one_of: ClassVar[tuple[str, str]]
    one_of_message: ClassVar[str]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if sum(name in attrs for name in self.one_of) != 1:
            raise serializers.ValidationError(self.one_of_message)
        return super().validate(attrs)


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only. DRF also reads 0, 1, "yes" or "on" as a boolean, which suits
    form data; the API takes JSON, and its schema says boolean."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class JSONText:
    """Text only: DRF would store the number 0 as the text "0"."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(JSONText, serializers.CharField):
    pass


class StrictSlugField(JSONText, serializers.SlugField):
    pass


class StrictEmailField(JSONText, serializers.EmailField):
    pass


class StrictModelSerializer(serializers.ModelSerializer):
    """A model's fields as the JSON API reads them: booleans and text as their JSON types."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.BooleanField: StrictBooleanField,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
        models.EmailField: StrictEmailField,
    }


class SlugLookupField(serializers.SlugRelatedField):
    """A row by its code or slug (a channel, a category): text no slug can be (a NUL, which
    PostgreSQL refuses in a query, or a lone surrogate, which cannot be echoed back as UTF-8) is
    refused before the lookup, without repeating it."""

    default_error_messages = {"unusable": "Not a valid {slug_name}."}

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data.encode("utf-8")
            except UnicodeEncodeError:
                self.fail("unusable", slug_name=self.slug_field)
            if "\x00" in data:
                self.fail("unusable", slug_name=self.slug_field)
        return super().to_internal_value(data)
