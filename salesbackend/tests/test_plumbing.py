from unittest import mock

import pytest
from django.urls import path

from salesbackend import urls as root_urls


def test_unknown_api_path_is_json_404(customer_client):
    response = customer_client.get("/api/v1/nope/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_unknown_api_path_is_json_404_for_anonymous(anon_client):
    response = anon_client.get("/api/v1/does/not/exist")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_healthz_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_healthz_503_when_cache_is_down(client):
    with mock.patch("salesbackend.health.cache.set", side_effect=ConnectionError("redis down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "error"}


def _boom(request):
    raise RuntimeError("secret internals")


urlpatterns = [path("api/v1/boom/", _boom), *root_urls.urlpatterns]


@pytest.mark.urls("salesbackend.tests.test_plumbing")
def test_a_crash_under_api_is_json_500_without_traceback(client):
    client.raise_request_exception = False

    response = client.get("/api/v1/boom/")

    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred.", "code": "server_error"}
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")
    redoc = client.get("/api/redoc/")

    assert schema.status_code == 200
    assert b"openapi" in schema.content
    assert docs.status_code == 200
    assert redoc.status_code == 200


def test_openapi_schema_offers_the_jwt_bearer_scheme(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    assert schema["components"]["securitySchemes"]["jwtAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert {"jwtAuth": []} in schema["paths"]["/api/v1/users/me/"]["get"]["security"]
    # Logging in needs no token, so Swagger does not ask for one there.
    assert schema["paths"]["/api/v1/auth/login/"]["post"]["security"] == [{}]
