"""The OpenAPI schema states the limits the API enforces, and the API keeps to them: a client
generated from the schema sends what is accepted and is refused what the schema rules out."""

import pytest

from analytics.pages import REPORT_PAGES

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        return Client().get("/api/schema/", {"format": "json"}).json()


def _parameter(schema, path, name):
    return next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name)


def test_an_empty_query_value_is_documented_and_read_as_none(schema, ceo_client):
    for name in ("page_size", "category", "in_stock"):
        assert _parameter(schema, "/api/v1/products/", name)["allowEmptyValue"] is True

    response = ceo_client.get("/api/v1/products/", {"page_size": "", "category": "", "in_stock": ""})

    assert response.status_code == 200


def test_text_in_requests_may_not_hold_a_nul_and_the_api_refuses_one(schema, ceo_client):
    name = schema["components"]["schemas"]["ChannelRequest"]["properties"]["name"]
    assert name["pattern"] == "^[^\\u0000]*$"

    response = ceo_client.post(
        "/api/v1/channels/", {"code": "kiosk", "name": "a\x00b"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert "name" in response.json()


def test_list_sizes_unsigned_money_ids_and_report_names_are_stated(schema):
    components = schema["components"]["schemas"]
    items = components["OrderPlaceInputRequest"]["properties"]["items"]
    assert (items["minItems"], items["maxItems"]) == (1, 200)
    bulk = schema["paths"]["/api/v1/products/bulk/"]["post"]["requestBody"]["content"]["application/json"]
    assert (bulk["schema"]["minItems"], bulk["schema"]["maxItems"]) == (1, 1000)
    assert components["ProductCreateRequest"]["properties"]["price"]["pattern"].startswith("^\\d")
    assert _parameter(schema, "/api/v1/audit/", "actor")["schema"]["type"] == "integer"
    report = components["ReportSubscriptionRequest"]["properties"]["report"]["allOf"][0]["$ref"]
    assert components[report.rsplit("/", 1)[-1]]["enum"] == list(REPORT_PAGES)


def test_a_margin_far_below_zero_fits_its_documented_pattern(schema, ceo_client):
    import re

    from catalog.tests.factories import ProductFactory

    product = ProductFactory(price="0.01", cost_price="9999999999.00")
    margin = ceo_client.get(f"/api/v1/products/{product.pk}/").json()["margin"]

    pattern = schema["components"]["schemas"]["StaffProduct"]["properties"]["margin"]["pattern"]
    assert margin == "-999999999899.0000"
    assert re.fullmatch(pattern, margin)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/channels/", {"code": "kiosk", "name": "Kiosk", "is_active": 0}, "is_active"),
        ("/api/v1/channels/", {"code": "kiosk", "name": "Kiosk", "is_active": "yes"}, "is_active"),
        ("/api/v1/channels/", {"code": "kiosk", "name": 7}, "name"),
        ("/api/v1/categories/", {"name": "Lamps", "is_active": 1}, "is_active"),
    ],
)
def test_json_bodies_take_booleans_and_text_as_their_json_types(ceo_client, path, body, field):
    response = ceo_client.post(path, body, content_type="application/json")

    assert response.status_code == 400
    assert field in response.json()


def test_an_order_note_must_be_text(ceo_client, customer):
    from catalog.tests.factories import ProductFactory
    from orders.tests.factories import place_order

    order = place_order(customer=customer, products={ProductFactory(stock=5): 1})

    refused = ceo_client.post(
        f"/api/v1/orders/{order.pk}/cancel/", {"note": 0}, content_type="application/json"
    )
    accepted = ceo_client.post(
        f"/api/v1/orders/{order.pk}/cancel/", {"note": "0"}, content_type="application/json"
    )

    assert (refused.status_code, accepted.status_code) == (400, 200)


def test_a_slug_code_or_email_must_be_text(ceo_client):
    channel = ceo_client.post(
        "/api/v1/channels/", {"code": 5, "name": "Five"}, content_type="application/json"
    )
    category = ceo_client.post(
        "/api/v1/categories/", {"name": "Five", "slug": 5}, content_type="application/json"
    )

    assert (channel.status_code, category.status_code) == (400, 400)
    assert "code" in channel.json() and "slug" in category.json()
