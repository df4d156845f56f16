"""Staff in a real browser (Playwright driving Debian's Chromium) against a live server:
every admin changelist, an order placed and paid in the admin, a product import, and every
report page with a filter and a CSV download. A console error, a failed request or any
response >= 400 fails the test. Screenshots land in artifacts/screenshots/.

Run with `make browser` (needs /usr/bin/chromium; never `playwright install`, it cannot
download here). Playwright's sync API runs an event loop in this thread, so Django's
async-safety check would refuse the ORM calls that set up the data: this module allows them
(DJANGO_ALLOW_ASYNC_UNSAFE), only here, where nothing else runs concurrently.
"""

import os
import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.tests.factories import DEFAULT_PASSWORD, CEOFactory, CustomerFactory, SalespersonFactory
from catalog.tests.factories import CategoryFactory, ProductFactory

playwright_sync = pytest.importorskip("playwright.sync_api")
# Set at import: the browser's event loop starts before the test database is set up.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make browser does)")
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page whose console errors, failed requests and error responses are collected."""

    def __init__(self, browser, base_url: str, viewport: dict[str, int] | None = None):
        self.context = browser.new_context(base_url=base_url, accept_downloads=True, viewport=viewport)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                m.type == "error" and self.problems.append(f"console: {m.text} {m.location.get('url')}")
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.status}: {r.url}"))

    def _request_failed(self, request) -> None:
        # ERR_ABORTED is the browser dropping a request because the page moved on (a click that
        # navigates while an icon still loads), not a failure of the server.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.problems.append(f"failed: {request.url} {request.failure}")

    def goto(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status < 400, (path, response and response.status)

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def sign_in(self, username: str) -> None:
        self.goto("/admin/login/?next=/admin/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", DEFAULT_PASSWORD)
        self.page.click("input[type=submit]")
        self.page.wait_for_url(re.compile(r"/admin/$"))

    def close(self) -> list[str]:
        self.context.close()
        return self.problems


def _changelists() -> list[str]:
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]


def test_the_ceo_opens_every_changelist_places_an_order_pays_it_and_imports(browser, live_server):
    CEOFactory(username="carol")
    customer = CustomerFactory(email="cleo@example.com")
    category = CategoryFactory(slug="lamps")
    ProductFactory(sku="LAMP-1", category=category, stock=20)
    staff = Watched(browser, live_server.url)

    staff.sign_in("carol")
    staff.shot("admin-index")
    for url in _changelists():
        staff.goto(url)
    staff.shot("admin-last-changelist")

    staff.goto(reverse("admin:orders_order_add"))
    staff.page.select_option("#id_customer", str(customer.pk))
    staff.page.fill("#id_lines", "LAMP-1 2")
    for field, value in (
        ("name", "Cleo Martin"),
        ("line1", "1 Rue de Rivoli"),
        ("city", "Paris"),
        ("postal_code", "75001"),
    ):
        staff.page.fill(f"#id_{field}", value)
    staff.page.select_option("#id_country", "FR")
    staff.page.click("input[type=submit]")
    staff.page.wait_for_selector("text=placed")
    staff.shot("admin-order-placed")

    staff.goto(reverse("admin:orders_order_changelist"))
    staff.page.check("input.action-select")
    staff.page.select_option("select[name=action]", "mark_paid")
    staff.page.click("button[name=index]")
    staff.page.wait_for_selector("text=marked paid")
    staff.shot("admin-order-paid")

    staff.goto(reverse("admin:catalog_product_import"))
    csv = (
        "sku,name,description,price,cost_price,category,status,stock\n"
        "NEW-1,Desk lamp,Bright,24.50,10.00,lamps,active,7\n"
    )
    staff.page.set_input_files(
        "#id_file", {"name": "products.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    staff.page.uncheck("#id_dry_run")
    staff.page.click("input[type=submit]")
    staff.page.wait_for_selector("text=created 1")
    staff.shot("admin-import")

    assert staff.close() == []
    from catalog.models import Product
    from orders.models import Order, OrderStatus

    assert Order.objects.get(customer=customer).status == OrderStatus.PAID
    assert Product.objects.filter(sku="NEW-1").exists()


def test_a_salesperson_reads_every_report_filters_and_downloads_csv(browser, live_server):
    SalespersonFactory(username="sam")
    manager = Watched(browser, live_server.url)
    manager.sign_in("sam")

    for name in ("overview", "products", "revenue", "categories", "channels", "compare"):
        manager.goto(reverse(f"reports:{name}"))
        manager.shot(f"report-{name}")

    manager.goto(reverse("reports:revenue"))
    manager.page.fill("input[name=start]", "2026-01-01")
    manager.page.click('button[type=submit]:has-text("Apply")')
    manager.page.wait_for_url(re.compile(r"start=2026-01-01"))
    with manager.page.expect_download() as download:
        manager.page.click("text=Download CSV")
    assert download.value.suggested_filename.endswith(".csv")
    manager.shot("report-revenue-filtered")

    assert manager.close() == []
