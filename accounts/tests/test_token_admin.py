"""Issue 21: raw refresh tokens are never shown in the admin, nor recoverable through it.

Django's admin accepts lookups on model fields from the query string, so a CEO could narrow
the outstanding-token list with `?token__startswith=eyJ…` one character at a time and read
any user's refresh token back. Every lookup that reaches the raw token is refused.
"""

import pytest
from django.test import Client
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts import services
from accounts.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

OUTSTANDING = "/admin/token_blacklist/outstandingtoken/"
BLACKLISTED = "/admin/token_blacklist/blacklistedtoken/"


def _admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def tokens():
    """Two customers' refresh tokens, one of them revoked (so both lists have rows)."""
    alive = services.tokens_issue(user=CustomerFactory())["refresh"]
    victim = CustomerFactory()
    revoked = services.tokens_issue(user=victim)["refresh"]
    services.tokens_revoke(user=victim)
    return {"alive": alive, "revoked": revoked}


@pytest.mark.parametrize(
    ("page", "lookup"),
    [
        (OUTSTANDING, "token__startswith"),
        (OUTSTANDING, "token__regex"),
        (OUTSTANDING, "token__iregex"),
        (OUTSTANDING, "token__contains"),
        (OUTSTANDING, "token__gt"),
        (OUTSTANDING, "token"),
        (BLACKLISTED, "token__token__startswith"),
        (BLACKLISTED, "token__token__regex"),
        (BLACKLISTED, "token__token"),
    ],
)
def test_a_lookup_on_the_raw_token_is_refused(ceo, tokens, page, lookup):
    value = tokens["revoked"][:12] if lookup.endswith(("token", "startswith", "contains", "gt")) else "^e"

    response = _admin_client(ceo).get(page, {lookup: value})

    # Django's answer to a lookup the ModelAdmin does not allow: 400 (DisallowedModelAdminLookup).
    assert response.status_code == 400
    assert tokens["revoked"] not in response.content.decode()


def test_a_token_lookup_through_the_user_is_refused_too(ceo, tokens):
    response = _admin_client(ceo).get(OUTSTANDING, {"user__outstandingtoken__token__startswith": "eyJ"})

    assert response.status_code == 400


def test_the_lists_still_filter_by_user_and_jti(ceo, tokens):
    outstanding = OutstandingToken.objects.order_by("pk").last()
    client = _admin_client(ceo)

    by_user = client.get(OUTSTANDING, {"q": outstanding.user.username})
    by_jti = client.get(BLACKLISTED, {"q": outstanding.jti})

    assert list(by_user.context["cl"].result_list) == [outstanding]
    assert [row.token for row in by_jti.context["cl"].result_list] == [outstanding]
    assert BlacklistedToken.objects.count() == 1


def test_no_page_shows_a_raw_token(ceo, tokens):
    client = _admin_client(ceo)
    outstanding = OutstandingToken.objects.order_by("pk").last()
    blacklisted = BlacklistedToken.objects.get()
    pages = [
        OUTSTANDING,
        f"{OUTSTANDING}{outstanding.pk}/change/",
        f"{OUTSTANDING}{outstanding.pk}/history/",
        BLACKLISTED,
        f"{BLACKLISTED}{blacklisted.pk}/change/",
        f"{BLACKLISTED}{blacklisted.pk}/history/",
    ]
    for page in pages:
        html = client.get(page).content.decode()
        for raw in tokens.values():
            assert raw not in html, page
            # Not even the signature part, which is what makes a token usable.
            assert raw.rsplit(".", 1)[1] not in html, page
