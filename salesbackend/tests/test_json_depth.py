"""Red-team report (issue 21): deeply nested JSON must be a 400, never a 500."""

import json

import pytest
from django.contrib.auth import get_user_model

from orders.models import Order
from salesbackend.parsers import MAX_JSON_DEPTH, json_depth_exceeds

DEEP_LIST = "[" * 1000 + "]" * 1000  # json.loads recurses past Python's limit on this
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000


def _nested(depth: int) -> str:
    """Parses without trouble, but nests far deeper than any request needs."""
    return '{"items": ' + "[" * depth + "]" * depth + "}"


def _post(client, path: str, body: str):
    return client.generic("POST", path, body, content_type="application/json")


def _assert_parse_error(response) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "parse_error"
    assert "nests more than" in body["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("body", [DEEP_LIST, DEEP_OBJECT, _nested(200)])
def test_anonymous_login_with_deeply_nested_json_is_a_400(anon_client, body):
    response = _post(anon_client, "/api/v1/auth/login/", body)

    _assert_parse_error(response)


@pytest.mark.django_db
def test_register_with_deeply_nested_json_is_a_400_and_creates_nobody(anon_client):
    users = get_user_model().objects.count()

    response = _post(anon_client, "/api/v1/auth/register/", DEEP_LIST)

    _assert_parse_error(response)
    assert get_user_model().objects.count() == users


@pytest.mark.django_db
@pytest.mark.parametrize("body", [DEEP_LIST, _nested(MAX_JSON_DEPTH + 1)])
def test_an_order_with_deeply_nested_json_is_a_400_and_places_nothing(customer_client, body):
    response = _post(customer_client, "/api/v1/orders/", body)

    _assert_parse_error(response)
    assert Order.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/products/bulk/", "POST"),
        ("/api/v1/categories/", "POST"),
        ("/api/v1/report-subscriptions/", "POST"),
        ("/api/v1/users/me/", "PATCH"),
    ],
)
def test_staff_endpoints_refuse_deeply_nested_json(ceo_client, path, method):
    response = ceo_client.generic(method, path, DEEP_LIST, content_type="application/json")

    _assert_parse_error(response)


@pytest.mark.django_db
def test_an_address_nested_deeply_inside_an_order_is_refused(customer_client):
    """A JSONField value (the address) is where nested input would be stored and rendered again."""
    address = {"name": "A", "line1": "1 St", "city": "Paris", "postal_code": "75001", "country": "FR"}
    value: object = "x"
    for _ in range(MAX_JSON_DEPTH + 5):
        value = {"deeper": value}
    address["line2"] = value  # type: ignore[assignment]

    response = _post(
        customer_client,
        "/api/v1/orders/",
        json.dumps({"items": [{"product": 1, "quantity": 1}], "shipping_address": address}),
    )

    _assert_parse_error(response)
    assert Order.objects.count() == 0


def test_the_depth_check_counts_containers_only():
    assert not json_depth_exceeds({"items": [{"product": 1, "tags": ["a"]}]}, limit=4)
    assert json_depth_exceeds({"items": [{"product": 1, "tags": ["a"]}]}, limit=3)
    assert not json_depth_exceeds("text", limit=0)
    assert json_depth_exceeds(json.loads("[" * 500 + "]" * 500))


@pytest.mark.django_db
@pytest.mark.parametrize("filters", [DEEP_LIST, '{"period": ' + "[" * 40 + "]" * 40 + "}"])
def test_a_deeply_nested_json_field_in_the_admin_is_a_form_error(salesperson, filters):
    """The admin's JSON form fields (a report subscription's filters) parse with json.loads too."""
    from django.test import Client

    from analytics.models import ReportSubscription

    client = Client(raise_request_exception=False)
    client.force_login(salesperson)
    form = {"user": salesperson.pk, "report": "channels", "filters": filters, "frequency": "daily", "hour": 9}

    response = client.post("/admin/analytics/reportsubscription/add/", form)

    assert response.status_code == 200
    assert "nests more than" in str(response.context["adminform"].form.errors["filters"])
    assert not ReportSubscription.objects.exists()
