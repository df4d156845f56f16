"""The API's docs pages and the report pages under their Content-Security-Policy, in Chromium:
a script or style the policy blocks is a console error, and any console error fails."""

import pytest

from accounts.tests.factories import SalespersonFactory
from salesbackend.tests.browser.test_staff_flows import Watched

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# ReDoc's side menu always loads Redocly's logo from its CDN (hidden again if it fails): the one
# thing the docs would fetch from another host. The policy blocks it, as it should; the menu's
# "API docs by Redocly" link stays, without the picture. Nothing else may fail.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/api/docs/", ".swagger-ui .info .title"),  # Swagger UI drew the schema's title
        ("/api/redoc/", "#redoc-container h1"),  # ReDoc did
    ],
)
def test_api_docs_pages_run_under_their_policy(browser, live_server, path, shown):
    reader = Watched(browser, live_server.url)
    reader.goto(path)
    reader.page.wait_for_selector(shown, timeout=15_000)

    assert "Sales backend API" in reader.page.inner_text(shown)
    assert reader.page.evaluate("document.querySelectorAll('script:not([src])').length") <= 1
    reader.shot(f"docs-{path.strip('/').replace('/', '-')}")
    assert [problem for problem in reader.close() if REDOC_LOGO not in problem] == []


def test_the_policy_blocks_an_injected_inline_script_and_the_check_sees_it(browser, live_server):
    """What the report pages' policy is for: a script slipped into a page does not run."""
    manager = Watched(browser, live_server.url)
    SalespersonFactory(username="csp-manager")
    manager.sign_in("csp-manager")
    manager.goto("/reports/")

    manager.page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.injected = true'; document.body.appendChild(s); }"""
    )

    assert manager.page.evaluate("window.injected === undefined")
    problems = manager.close()
    assert any("Content Security Policy" in problem for problem in problems), problems
