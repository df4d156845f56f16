import pytest

from audit.models import AuditEntry
from catalog.models import SalesChannel

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
