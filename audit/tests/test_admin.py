import pytest
from django.test import Client

from audit.models import AuditAction, AuditEntry
from audit.services import record

CHANGELIST = "/admin/audit/auditentry/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def ceo_admin(ceo) -> Client:
    client = Client()
    client.force_login(ceo)
    return client


@pytest.fixture
def entry(ceo, customer):
    return record(
        actor=ceo, action=AuditAction.ROLE_CHANGE, entity=customer, changes={"role": ["customer", "ceo"]}
    )


def test_ceo_browses_and_filters_the_audit_log(ceo_admin, entry, customer):
    record(actor=customer, action=AuditAction.LOGIN, entity=customer)

    everything = ceo_admin.get(CHANGELIST)
    role_changes = ceo_admin.get(CHANGELIST, {"action": "role_change"})
    by_actor = ceo_admin.get(CHANGELIST, {"actor__id__exact": customer.pk})
    by_type = ceo_admin.get(CHANGELIST, {"entity_type": "accounts.user"})

    assert everything.status_code == 200
    assert everything.context["cl"].result_count == 2
    assert list(role_changes.context["cl"].result_list) == [entry]
    assert [e.action for e in by_actor.context["cl"].result_list] == ["login"]
    assert by_type.context["cl"].result_count == 2


def test_the_audit_log_is_read_only_in_the_admin(ceo_admin, entry):
    before = list(AuditEntry.objects.values())

    detail = ceo_admin.get(f"{CHANGELIST}{entry.pk}/change/")
    change = ceo_admin.post(f"{CHANGELIST}{entry.pk}/change/", {"action": "login", "entity_type": "x"})
    add = ceo_admin.get(f"{CHANGELIST}add/")
    delete = ceo_admin.post(f"{CHANGELIST}{entry.pk}/delete/", {"post": "yes"})
    bulk_delete = ceo_admin.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )

    assert detail.status_code == 200
    assert b"role_change" in detail.content
    assert b'name="_save"' not in detail.content
    assert change.status_code == 403
    assert add.status_code == 403
    assert delete.status_code == 403
    assert bulk_delete.status_code in (200, 302)
    assert list(AuditEntry.objects.values()) == before
