import pytest

from audit.models import AuditEntry
from catalog.models import SalesChannel
from catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_default_channels_exist_and_inactive_ones_are_for_managers_only(customer_client, ceo_client):
    SalesChannel.objects.filter(code="phone").update(is_active=False)

    customer_codes = [c["code"] for c in customer_client.get("/api/v1/channels/").json()["results"]]
    ceo_codes = [c["code"] for c in ceo_client.get("/api/v1/channels/").json()["results"]]

    assert customer_codes == ["retail", "web"]
    assert ceo_codes == ["phone", "retail", "web"]
    assert customer_client.get("/api/v1/channels/phone/").status_code == 404


def test_ceo_creates_a_channel_and_it_is_audited(ceo_client, ceo):
    response = ceo_client.post("/api/v1/channels/", {"code": "market", "name": "Market stall"}, format="json")

    assert response.status_code == 201
    assert response.json() == {"code": "market", "name": "Market stall", "is_active": True}
    entry = AuditEntry.objects.get(action="create", entity_type="catalog.saleschannel")
    assert entry.actor == ceo
    assert entry.changes["code"] == [None, "market"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"code": "web", "name": "Again"}, "code"), ({"code": "no spaces", "name": "X"}, "code")],
)
def test_invalid_channel_is_400(ceo_client, payload, field):
    response = ceo_client.post("/api/v1/channels/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert SalesChannel.objects.count() == 3


def test_patch_renames_and_deactivates_but_never_changes_the_code(ceo_client):
    response = ceo_client.patch(
        "/api/v1/channels/phone/", {"code": "tele", "name": "Telephone", "is_active": False}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"code": "phone", "name": "Telephone", "is_active": False}
    entry = AuditEntry.objects.get(action="update")
    assert entry.changes == {"name": ["Phone orders", "Telephone"], "is_active": [True, False]}


def test_orders_see_a_channel_deactivated_or_created_at_once(ceo_client, salesperson_client, customer):
    """Placement reads the channels from this process's copy: every change through the API
    (and the admin, the same service) is seen by the next order."""
    product = ProductFactory(stock=10)
    body = {
        "customer": customer.pk,
        "items": [{"product": product.pk, "quantity": 1}],
        "shipping_address": {
            "name": "A",
            "line1": "1 St",
            "city": "Paris",
            "postal_code": "75001",
            "country": "FR",
        },
    }
    assert (
        salesperson_client.post("/api/v1/orders/", {**body, "channel": "phone"}, format="json").status_code
        == 201
    )

    ceo_client.patch("/api/v1/channels/phone/", {"is_active": False}, format="json")
    refused = salesperson_client.post("/api/v1/orders/", {**body, "channel": "phone"}, format="json")
    ceo_client.post("/api/v1/channels/", {"code": "market", "name": "Market stall"}, format="json")
    at_market = salesperson_client.post("/api/v1/orders/", {**body, "channel": "market"}, format="json")

    assert refused.status_code == 400
    assert "channel" in refused.json()
    assert at_market.status_code == 201
    assert at_market.json()["channel"] == "market"
