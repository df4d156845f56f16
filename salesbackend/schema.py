"""OpenAPI post-processing and field extensions, so the schema states what the API does.

Every operation documents the errors it can answer with, and request schemas state the
limits the API enforces (empty query values, no NUL in text, list sizes, unsigned decimals).

The API answers every refusal in one of two JSON shapes (API.md "Conventions"): field errors
({field: [messages]}) for 400, and {"detail", "code"} for everything else. Rather than
repeating `responses=` on every view, this hook adds the statuses each kind of operation can
return wherever a view did not document them itself.
"""

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail", "code"],
    "additionalProperties": True,
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Field errors: each field (or `non_field_errors`) with its messages; or {detail, code}.",
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "Invalid input",
    "401": "No or an invalid token",
    "403": "The role may not do this",
    "404": "Not found (also another customer's object)",
    "409": "Conflicts with the current state",
    "413": "The upload is too large",
    "429": "Too many attempts",
}
WRITES = {"post", "put", "patch", "delete"}


def _statuses(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    statuses = ["400", "401", "403", "404"]  # a public operation still refuses a bad token
    if method in WRITES:
        statuses.append("409")
    if path.endswith("/import/"):
        statuses.append("413")
    if path.endswith(("/auth/login/", "/users/me/", "/alerts/stream/")):
        statuses.append("429")
    return statuses


# Fields present for staff only (API.md: a customer never sees them; absent, not null). The
# product endpoints document the staff shape, so these are optional in it.
STAFF_ONLY_FIELDS = {"StaffProduct": {"cost_price", "margin", "created_by"}}


def add_error_responses(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    for component, fields in STAFF_ONLY_FIELDS.items():
        if component in components:
            required = [name for name in components[component].get("required", []) if name not in fields]
            components[component]["required"] = required
    components.setdefault("Error", ERROR)
    components.setdefault("FieldErrors", FIELD_ERRORS)
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            _field_errors_too(responses.get("400"))
            for status in _statuses(path, method, operation):
                if status in responses and responses[status].get("content"):
                    continue
                schema = "FieldErrors" if status == "400" else "Error"
                responses[status] = {
                    "description": responses.get(status, {}).get("description") or DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
                }
    return result


def _field_errors_too(response: dict[str, Any] | None) -> None:
    """A 400 documented with a specific body (row errors) can also be plain field errors."""
    content = (response or {}).get("content", {}).get("application/json")
    if content and content["schema"].get("$ref", "").rsplit("/", 1)[-1] not in ("FieldErrors", ""):
        content["schema"] = {"anyOf": [content["schema"], {"$ref": "#/components/schemas/FieldErrors"}]}


# Query parameters: an empty value is read as no value (what an HTML form sends for an
# empty field), which OpenAPI says with allowEmptyValue.
# Strings in requests: Django and DRF refuse a NUL character in any text.
NO_NUL = "^[^\\u0000]*$"


def state_request_limits(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
                if parameter.get("name") != "ordering":  # unknown orderings are ignored, NUL or not
                    _no_nul(parameter.get("schema"))
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            _no_nul(component)
    return result


def _no_nul(schema: Any) -> None:
    """Add the no-NUL pattern to every plain string of a request schema, nested ones too."""
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not ({"format", "enum", "pattern"} & schema.keys()):
        schema["pattern"] = NO_NUL
    for child in (schema.get("properties") or {}).values():
        _no_nul(child)
    for key in ("additionalProperties", "items"):
        _no_nul(schema.get(key))
    for key in ("allOf", "anyOf", "oneOf"):
        for child in schema.get(key) or []:
            _no_nul(child)


class ListSerializerLimits(OpenApiSerializerFieldExtension):
    """A list of objects states its limits: DRF's allow_empty=False and max_length."""

    target_class = "rest_framework.serializers.ListSerializer"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if minimum := max(self.target.min_length or 0, 0 if self.target.allow_empty else 1):
            schema["minItems"] = minimum
        if self.target.max_length is not None:
            schema["maxItems"] = self.target.max_length
        return schema


class NullableRelation(OpenApiSerializerFieldExtension):
    """A nullable relation by slug or code reads an empty string as null (DRF), so any
    string is accepted: no minLength."""

    target_class = "rest_framework.relations.RelatedField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if self.target.allow_null and schema.get("type") == "string":
            schema.pop("minLength", None)
        return schema


class UnsignedDecimal(OpenApiSerializerFieldExtension):
    """A decimal that may not be negative has no minus sign in its pattern."""

    target_class = "rest_framework.fields.DecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        minimum = self.target.min_value
        if minimum is not None and minimum >= 0 and schema.get("pattern", "").startswith("^-?"):
            schema["pattern"] = "^" + schema["pattern"][3:]
        return schema
