"""Pooled connections survive a database restart: the next request after it succeeds."""

import json
import threading
import urllib.request

import psycopg
import pytest
from django.db import connection

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the pool is PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


def _drop_every_other_connection() -> int:
    """What a restart does to the pool's connections: the server ends them all."""
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    ) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


def _health(live_server) -> tuple[int, dict]:
    with urllib.request.urlopen(f"{live_server.url}/healthz", timeout=10) as response:
        return response.status, json.load(response)


def _fill_the_pool(connections: int) -> None:
    """Several connections used at once, then idle in the pool, as in a busy process."""
    start = threading.Barrier(connections)

    def use() -> None:
        try:
            start.wait(timeout=10)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_sleep(0.05)")
        finally:
            connection.close()

    threads = [threading.Thread(target=use) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_requests_use_pooled_connections_and_survive_a_restart(live_server):
    """Through a real server thread, so connections go back to the pool after each request."""
    assert connection.pool is not None  # settings put PostgreSQL behind psycopg's pool
    assert _health(live_server) == (200, {"status": "ok", "database": "ok", "cache": "ok"})
    _fill_the_pool(8)

    try:
        # The pool's idle connections (how many the pool kept of the 8 depends on its timing
        # on a busy machine) and the test's own.
        assert _drop_every_other_connection() >= 3

        # psycopg_pool alone tries the dead connections one back-off step (1, 2, 4 s) at a time
        # and gives up after its 10 s timeout: a 503.
        assert _health(live_server) == (200, {"status": "ok", "database": "ok", "cache": "ok"})
    finally:
        connection.close()  # the test's own connection was ended too: the next test gets a new one
