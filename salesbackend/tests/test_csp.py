"""Red-team report (issue 21): the pages people open in a browser carry a strict
Content-Security-Policy. That the pages still work under it (no violation in the console) is
checked in Chromium: salesbackend/tests/browser/test_staff_flows.py (reports, admin) and
test_api_docs_pages_run_under_their_policy (Swagger UI, ReDoc)."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";"))}


@pytest.fixture
def staff_browser(salesperson) -> Client:
    client = Client()
    client.force_login(salesperson)
    return client


@pytest.mark.parametrize("url", ["/reports/", "/reports/products/", "/admin/", "/admin/catalog/product/"])
def test_report_pages_and_the_admin_allow_scripts_from_this_site_only(staff_browser, url):
    response = staff_browser.get(url)

    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert all(source.startswith("'nonce-") for source in policy["script-src"][1:])
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_the_admin_login_page_has_the_policy_too(client):
    assert "script-src 'self'" in client.get("/admin/login/")["Content-Security-Policy"]


def test_report_pages_have_no_inline_script(staff_browser):
    html = staff_browser.get("/reports/").content.decode()

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_swagger_ui_loads_its_start_up_script_as_a_file(client):
    page = client.get("/api/docs/")
    html = page.content.decode()
    script = client.get("/api/docs/?script=")

    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_redoc_runs_its_start_up_script_with_the_nonce_of_its_policy(client):
    page = client.get("/api/redoc/")
    nonces = re.findall(r'<script nonce="([^"]+)">', page.content.decode())

    assert len(nonces) == 1
    assert f"'nonce-{nonces[0]}'" in _policy(page)["script-src"]
    assert client.get("/api/redoc/")["Content-Security-Policy"] != page["Content-Security-Policy"]  # fresh


def test_json_answers_need_no_policy(customer_client):
    assert not customer_client.get("/api/v1/users/me/").has_header("Content-Security-Policy")
