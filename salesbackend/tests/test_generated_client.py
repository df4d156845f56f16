"""A client nobody here wrote: openapi-python-client generates a typed Python client from our
OpenAPI schema, and that client drives a customer's whole first visit against a live server."""

import importlib
import os
import shutil
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command

from catalog.tests.factories import CategoryFactory, ProductFactory
from orders.tests.factories import ADDRESS

pytestmark = pytest.mark.django_db(transaction=True)
GENERATOR = shutil.which("openapi-python-client", path=os.path.dirname(sys.executable))


@pytest.fixture(scope="module")
def api_client_package(tmp_path_factory):
    if GENERATOR is None:
        pytest.fail("openapi-python-client is missing: it is a dev requirement")
    folder = tmp_path_factory.mktemp("generated")
    schema = folder / "schema.yaml"
    call_command("spectacular", "--file", str(schema))
    subprocess.run(
        [
            GENERATOR,
            "generate",
            "--path",
            str(schema),
            "--meta",
            "none",
            "--output-path",
            str(folder / "client"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"},
    )
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("client")
    finally:
        sys.path.remove(str(folder))


def test_register_login_browse_order_and_read_it_back_through_the_generated_client(
    api_client_package, live_server
):
    lamp = ProductFactory(
        sku="LAMP-1", price=Decimal("24.50"), stock=5, category=CategoryFactory(slug="lamps")
    )
    generated = api_client_package
    models = importlib.import_module("client.models")
    anonymous = generated.Client(base_url=live_server.url)

    registered = importlib.import_module("client.api.auth.auth_register_create").sync(
        client=anonymous,
        body=models.RegisterInputRequest(
            username="gina", email="gina@example.com", password="Winter-Sale-2026"
        ),
    )
    assert isinstance(registered, models.AuthResponse), registered
    assert registered.user.role == "customer"

    login = importlib.import_module("client.api.auth.auth_login_create").sync(
        client=anonymous,
        body=models.LoginInputRequest(username="gina@example.com", password="Winter-Sale-2026"),
    )
    assert isinstance(login, models.AuthResponse), login
    customer = generated.AuthenticatedClient(base_url=live_server.url, token=login.access)

    page = importlib.import_module("client.api.products.products_list").sync(
        client=customer, category="lamps"
    )
    assert [product.sku for product in page.results] == ["LAMP-1"]
    assert page.results[0].price == "24.50"

    fields = {key: value for key, value in ADDRESS.items() if key not in ("line2", "country")}
    address = models.AddressRequest(**fields, country=models.CountryEnum(ADDRESS["country"]))
    placed = importlib.import_module("client.api.orders.orders_create").sync(
        client=customer,
        body=models.OrderPlaceInputRequest(
            items=[models.OrderLineInputRequest(product=lamp.pk, quantity=2)], shipping_address=address
        ),
    )
    assert isinstance(placed, models.Order), placed
    assert placed.total == "63.80"  # 49.00 + 20 % tax, free shipping from 50.00 is not reached: + 5.00

    again = importlib.import_module("client.api.orders.orders_retrieve").sync(client=customer, id=placed.id)
    assert again.number == placed.number
    assert [(item.sku, item.quantity) for item in again.items] == [("LAMP-1", 2)]
