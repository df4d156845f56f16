"""OpenAPI post-processing: every operation documents the errors it can answer with.

The API answers every refusal in one of two JSON shapes (API.md "Conventions"): field errors
({field: [messages]}) for 400, and {"detail", "code"} for everything else. Rather than
repeating `responses=` on every view, this hook adds the statuses each kind of operation can
return wherever a view did not document them itself.
"""

from typing import Any

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
