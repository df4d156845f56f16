from unittest import mock

import pytest
from django.db import IntegrityError
from django.http import JsonResponse
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient

from salesbackend import urls as root_urls


def test_unknown_api_path_is_json_404(customer_client):
    response = customer_client.get("/api/v1/nope/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_unknown_api_path_is_json_404_for_anonymous(anon_client):
    response = anon_client.get("/api/v1/does/not/exist")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_unknown_api_path_is_json_404_for_a_post_without_csrf_token():
    client = APIClient(enforce_csrf_checks=True)

    response = client.post("/api/v1/nope/", {"a": 1}, format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.django_db
def test_a_json_body_over_the_upload_limit_is_json_413(anon_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = anon_client.post(
        "/api/v1/auth/login/", {"username": "someone", "password": "x" * 2000}, format="json"
    )

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


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


@api_view(["POST"])
@permission_classes([AllowAny])
def _lost_race(request):
    raise IntegrityError('duplicate key value violates unique constraint "catalog_product_sku_key"')


def _read_body(request):
    return JsonResponse({"size": len(request.body)})


def _read_form(request):
    return JsonResponse({"fields": len(request.POST)})


urlpatterns = [
    path("api/v1/boom/", _boom),
    path("api/v1/race/", _lost_race),
    path("api/v1/body/", _read_body),
    path("api/v1/form/", _read_form),
    *root_urls.urlpatterns,
]


@pytest.mark.urls("salesbackend.tests.test_plumbing")
def test_too_many_form_fields_is_json_400_not_500(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    client.raise_request_exception = False

    response = client.post("/api/v1/form/", {f"f{n}": "x" for n in range(5)})

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


@pytest.mark.urls("salesbackend.tests.test_plumbing")
def test_a_body_over_the_upload_limit_outside_drf_is_json_413_not_500(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.raise_request_exception = False

    response = client.post("/api/v1/body/", "x" * 2000, content_type="text/plain")

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


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


@pytest.mark.django_db
def test_healthz_refuses_other_methods_with_405_not_a_csrf_page(client):
    client.handler.enforce_csrf_checks = True

    response = client.post("/healthz")

    assert response.status_code == 405


@pytest.mark.urls("salesbackend.tests.test_plumbing")
def test_a_unique_index_race_lost_in_a_service_is_json_409(client):
    response = client.post("/api/v1/race/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "The request conflicts with data written at the same time; retry it.",
        "code": "conflict",
    }


@pytest.mark.parametrize("debug", [True, False])
def test_a_disallowed_host_on_an_api_path_is_json_400(client, settings, debug):
    settings.DEBUG = debug

    response = client.get("/api/v1/products/", HTTP_HOST="evil.example.com")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "bad_request"
    assert len(response.content) < 200


def test_a_disallowed_host_elsewhere_keeps_djangos_page(client):
    response = client.get("/admin/login/", HTTP_HOST="evil.example.com")

    assert response.status_code == 400
    assert "application/json" not in response["Content-Type"]


@pytest.mark.parametrize(
    ("handler", "status"), [("handler400", 400), ("handler403", 403), ("handler500", 500)]
)
def test_error_handlers_answer_json_under_api(rf, handler, status):
    from salesbackend import errors

    api = getattr(errors, handler)(rf.get("/api/v1/products/"), *(() if status == 500 else (Exception(),)))
    page = getattr(errors, handler)(rf.get("/reports/"), *(() if status == 500 else (Exception(),)))

    assert api.status_code == page.status_code == status
    assert api["Content-Type"] == "application/json"
    assert "application/json" not in page["Content-Type"]


def test_browsers_get_a_favicon_instead_of_a_404(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page_size", "status"), [("abc", 400), ("0", 400), ("-3", 400), ("1.5", 400), ("500", 200)]
)
def test_page_size_is_a_whole_number_from_one_and_large_ones_are_capped(customer_client, page_size, status):
    response = customer_client.get("/api/v1/products/", {"page_size": page_size})

    assert response.status_code == status
    if status == 400:
        assert "page_size" in response.json()
