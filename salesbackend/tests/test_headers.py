"""Red-team report (issue 21): personal answers carry `Cache-Control: no-store`; public ones
stay cacheable."""

import pytest
from django.test import Client
from django.utils.cache import get_max_age

from catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives and "private" in directives


@pytest.fixture
def staff_browser(salesperson) -> Client:
    client = Client()
    client.force_login(salesperson)
    return client


@pytest.mark.parametrize(
    "url",
    ["/reports/", "/reports/products/", "/reports/?format=csv", "/reports/products/?format=xlsx"],
)
def test_report_pages_and_their_downloads_are_not_stored(staff_browser, url):
    response = staff_browser.get(url)

    assert response.status_code == 200
    assert _no_store(response), response.get("Cache-Control")


def test_an_admin_export_download_is_not_stored(staff_browser):
    product = ProductFactory()

    response = staff_browser.post(
        "/admin/catalog/product/", {"action": "export_csv", "_selected_action": [product.pk]}
    )

    assert response["Content-Type"].startswith("text/csv")
    assert _no_store(response)


@pytest.mark.parametrize("url", ["/api/v1/users/me/", "/api/v1/orders/", "/api/v1/products/"])
def test_personal_api_answers_are_not_stored(customer_client, url):
    response = customer_client.get(url)

    assert response.status_code == 200
    assert _no_store(response)


def test_staff_api_answers_are_not_stored(ceo_client):
    response = ceo_client.get("/api/v1/analytics/summary/")

    assert response.status_code == 200
    assert _no_store(response)


def test_the_tokens_of_a_login_are_not_stored(anon_client, customer):
    customer.set_password("Quartz-Lamp-9")
    customer.save()

    response = anon_client.post(
        "/api/v1/auth/login/", {"username": customer.username, "password": "Quartz-Lamp-9"}
    )

    assert response.status_code == 200
    assert _no_store(response)


def test_errors_under_the_api_are_not_stored_either(anon_client):
    assert _no_store(anon_client.get("/api/v1/orders/"))  # 401
    assert _no_store(anon_client.get("/api/v1/nope/"))  # 404


def test_public_things_stay_cacheable(client):
    favicon = client.get("/favicon.ico")
    schema = client.get("/api/schema/")

    assert get_max_age(favicon) == 86400
    assert "no-store" not in favicon.get("Cache-Control", "")
    assert schema.status_code == 200
    assert "no-store" not in schema.get("Cache-Control", "")
