"""Issue 21: single-use secrets stay single-use under parallel requests (PostgreSQL row locks;
SQLite serialises writers, so these skip there). Threads, each with its own connection."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts import services
from accounts.tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]
REFRESH = "/api/v1/auth/refresh/"
VERIFY = "/api/v1/auth/mfa/verify/"


def _in_parallel(calls):
    """Run every call at once, each in its own thread and connection; (status, json) per call."""
    start = threading.Barrier(len(calls))

    def run(call):
        try:
            start.wait(timeout=30)
            response = call()
            return response.status_code, response.json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_thirty_parallel_refreshes_of_one_token_give_exactly_one_new_pair():
    user = CustomerFactory()
    refresh = services.tokens_issue(user=user)["refresh"]

    results = _in_parallel([lambda: APIClient().post(REFRESH, {"refresh": refresh})] * 30)

    assert Counter(code for code, _ in results) == {200: 1, 401: 29}
    (fresh,) = [body for code, body in results if code == 200]
    # One new refresh token was minted: the one the winner got, and it works.
    assert OutstandingToken.objects.filter(user=user).count() == 2
    assert APIClient().post(REFRESH, {"refresh": fresh["refresh"]}).status_code == 200


def test_ten_parallel_verifies_with_one_recovery_code_sign_in_once():
    from django_otp.plugins.otp_static.models import StaticToken

    from accounts.tests.factories import DEFAULT_PASSWORD, SalespersonFactory, mfa_turn_on

    staff = SalespersonFactory()
    _, codes = mfa_turn_on(staff)
    login = {"username": staff.username, "password": DEFAULT_PASSWORD}
    # Ten sign-ins, each at its code step with its own ticket, all sending the same code.
    tickets = [APIClient().post("/api/v1/auth/login/", login).json()["mfa_token"] for _ in range(10)]

    def verifier(ticket):
        return lambda: APIClient().post(VERIFY, {"mfa_token": ticket, "recovery_code": codes[0]})

    results = _in_parallel([verifier(ticket) for ticket in tickets])

    assert Counter(code for code, _ in results) == {200: 1, 401: 9}
    assert StaticToken.objects.filter(device__user=staff).count() == 9


def test_ten_parallel_verifies_with_one_ticket_sign_in_once():
    from accounts.tests.factories import DEFAULT_PASSWORD, SalespersonFactory, mfa_turn_on

    staff = SalespersonFactory()
    _, codes = mfa_turn_on(staff)
    login = {"username": staff.username, "password": DEFAULT_PASSWORD}
    ticket = APIClient().post("/api/v1/auth/login/", login).json()["mfa_token"]

    def verifier(code):
        return lambda: APIClient().post(VERIFY, {"mfa_token": ticket, "recovery_code": code})

    results = _in_parallel([verifier(code) for code in codes])

    assert Counter(code for code, _ in results) == {200: 1, 401: 9}
