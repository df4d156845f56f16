"""Serializer pieces shared by the apps."""

from typing import Any, ClassVar

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
