"""Red-team report (issue 21): deeply nested JSON bodies, sent to every write operation of the
OpenAPI schema (those that document no body too: a client may send one), never answer 5xx
(`scripts/fuzz.sh` sends a few to the production setup too). Each body is refused, so nothing is
written."""

import re

import pytest

from audit.models import AuditEntry
from salesbackend.parsers import MAX_JSON_DEPTH

pytestmark = pytest.mark.django_db

BODIES = {
    "deep list": "[" * 1000 + "]" * 1000,
    "deep object": '{"a":' * 1000 + "1" + "}" * 1000,
    "just too deep": '{"items": ' + "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH + "}",
    "deep in a field": '{"name": "x", "shipping_address": ' + '{"a": ' * 300 + "1" + "}" * 300 + "}",
}


@pytest.fixture(scope="module")
def json_operations(django_db_blocker) -> list[tuple[str, str]]:
    from django.test import Client

    with django_db_blocker.unblock():
        schema = Client().get("/api/schema/", {"format": "json"}).json()
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {"application/json": {}})
            if method in ("post", "put", "patch") and "application/json" in content:
                operations.append((method.upper(), re.sub(r"\{[^}]+\}", "1", path)))
    return operations


def test_no_operation_answers_5xx_to_a_deeply_nested_body(ceo_client, json_operations):
    assert len(json_operations) > 20  # the schema was read: every JSON write of the API
    entries = AuditEntry.objects.count()
    answers: dict[tuple[str, str, str], int] = {}
    refused_as_too_deep = 0

    for method, path in json_operations:
        for name, body in BODIES.items():
            response = ceo_client.generic(method, path, body, content_type="application/json")
            answers[(method, path, name)] = response.status_code
            if response.status_code == 400 and response.json().get("code") == "parse_error":
                refused_as_too_deep += 1

    assert [key for key, status in answers.items() if status >= 500] == []
    # Many operations reach the parser (others answer 404 for the placeholder id first).
    assert refused_as_too_deep >= len(answers) // 3
    assert AuditEntry.objects.count() == entries
