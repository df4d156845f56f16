"""The read side on a PostgreSQL streaming replica, never older than the last sale.

With `REPLICA_DATABASE_URL` set, the settings add the alias `replica` and `ReplicaRouter`. The
read side (report pages, analytics answers, report e-mails and alerts: READ_SIDE_PATHS and
READ_SIDE_TASK_PREFIX) reads there when, checked before every query:

- no transaction is open on `default` (a transaction reads its own writes);
- the replica has replayed the WAL up to the last commit that wrote sales-ledger rows (or
  received a return: `read_side_version_bump_on_commit`): that
  commit keeps the primary's WAL position in the cache (`ledger_lsn_record_on_commit`) before
  the ledger version moves on, so a reader that saw the new version (in its cache key) also
  finds the position it must wait for, and an answer cached under a version was computed from
  rows at least that new. The replica's replay position is read at most every
  REPLICA_REPLAY_CHECK_SECONDS per process.

Otherwise the primary answers. A replica that refuses connections is skipped for
REPLICA_RETRY_SECONDS instead of being tried by every request; a request whose replica query
failed (the replica went away, or a long report was cancelled by a replication conflict) runs
again once on the primary (`ReadSideMiddleware`). Every write and every migration stays on
`default` (Django routes writes there; `allow_migrate` keeps the replica out).

Why a router and not `.using()` in each selector (Saleor's choice): the read side is a few
doors (two URL prefixes and two tasks) but dozens of selectors; the router decides in one place,
per query, with the freshness rule, and selectors stay as they are.
"""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

from salesbackend.versions import version_bump_on_commit

logger = logging.getLogger(__name__)

REPLICA = "replica"
LEDGER_LSN_KEY = "orders:sales-ledger-lsn"
READ_SIDE_PATHS = ("/reports/", "/api/v1/analytics/")
READ_SIDE_TASK_PREFIX = "analytics.tasks."  # report e-mails and alerts (salesbackend/celery.py)

_read_side: ContextVar[bool] = ContextVar("read_side", default=False)
_replica_failed: ContextVar[bool] = ContextVar("replica_failed", default=False)
# This process's view of the replica: (checked at, replayed LSN or None), and until when a
# replica that refused us is left alone.
_replay: tuple[float, int | None] = (0.0, None)
_down_until = 0.0
# Tests switch the replica off except where they test it (conftest.py): a test database that
# Django has not opened to a test must not be queried.
in_use = True


def replica_configured() -> bool:
    return in_use and REPLICA in settings.DATABASES


@contextmanager
def read_side() -> Iterator[None]:
    """Reads inside may go to the replica (when it is fresh)."""
    token = _read_side.set(True)
    try:
        yield
    finally:
        _read_side.reset(token)


@contextmanager
def primary_only() -> Iterator[None]:
    token = _read_side.set(False)
    try:
        yield
    finally:
        _read_side.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if _read_side.get() and not _replica_failed.get() and replica_fresh():
            return REPLICA
        return None  # default

    def db_for_write(self, model, **hints) -> str | None:
        return None

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        return True  # one database, two copies

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        return db == DEFAULT_DB_ALIAS


def replica_fresh() -> bool:
    """Whether the replica may answer now: no transaction open here, and it has replayed the
    last commit that wrote what the read side caches (sales, received returns)."""
    if not replica_configured() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return False
    replayed = replica_replayed_lsn()
    if replayed is None:
        return False
    try:
        needed = cache.get(LEDGER_LSN_KEY)
    except Exception:  # no cache: no way to tell how fresh it must be
        return False
    if needed is None:  # never recorded, or the cache was flushed: wait for all of today's WAL
        needed = _primary_lsn()
        cache.add(LEDGER_LSN_KEY, needed, timeout=None)
    return replayed >= int(needed)


def replica_replayed_lsn() -> int | None:
    """The replica's replayed WAL position (bytes), read at most every few hundred ms per
    process; None while it is down (and for REPLICA_RETRY_SECONDS after it refused us)."""
    global _replay, _down_until
    now = time.monotonic()
    if now < _down_until:
        return None
    checked_at, replayed = _replay
    if replayed is not None and now - checked_at < settings.REPLICA_REPLAY_CHECK_SECONDS:
        return replayed
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn")
            (position,) = cursor.fetchone()
    except DatabaseError:
        logger.warning("The replica is unreachable; reading from the primary", exc_info=True)
        connections[REPLICA].close()
        _down_until = now + settings.REPLICA_RETRY_SECONDS
        _replay = (now, None)
        return None
    if position is None:  # not a standby (pointed at a primary by mistake): never use it
        _down_until = now + settings.REPLICA_RETRY_SECONDS
        return None
    _replay = (now, int(position))
    return _replay[1]


def replica_state() -> str:
    """For /healthz: `ok`, `lagging` (behind the last sale: the primary answers) or `down`."""
    replayed = replica_replayed_lsn()
    if replayed is None:
        return "down"
    return "ok" if replica_fresh() else "lagging"


def _primary_lsn() -> int:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn")
        return int(cursor.fetchone()[0])


# Raises the stored position, never lowers it: commits record theirs in any order.
_RAISE_TO = """
local stored = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > stored then redis.call('SET', KEYS[1], ARGV[1]) end
"""


def read_side_version_bump_on_commit(version_key: str) -> None:
    """After the current transaction commits: with a replica, keep the primary's WAL position
    first, then move `version_key` on. For every write the read side caches answers under (the
    sales ledger, received returns): whoever sees the new version also finds the position a
    replica must have replayed to answer for it."""
    if replica_configured():
        transaction.on_commit(ledger_lsn_record)
    version_bump_on_commit(version_key)


def ledger_lsn_record() -> None:
    """Keep the primary's WAL position after a commit that wrote sales-ledger rows (called
    from the commit hook, before the ledger version moves on)."""
    if not replica_configured():
        return
    try:
        position = _primary_lsn()
        try:
            from django_redis import get_redis_connection

            get_redis_connection("default").eval(_RAISE_TO, 1, cache.make_key(LEDGER_LSN_KEY), position)
        except NotImplementedError:  # not Redis (tests with local memory): one process anyway
            if position > int(cache.get(LEDGER_LSN_KEY) or 0):
                cache.set(LEDGER_LSN_KEY, position, timeout=None)
    except Exception:
        # Unknown position: replica reads wait for the primary's current one (see replica_fresh).
        logger.warning("Could not record the ledger's WAL position", exc_info=True)
        cache.delete(LEDGER_LSN_KEY)


class ReadSideMiddleware:
    """Marks report pages and analytics answers as read side; when a replica query of a GET
    failed, the request runs once more on the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (replica_configured() and request.path.startswith(READ_SIDE_PATHS)):
            return self.get_response(request)
        failed = _replica_failed.set(False)
        try:
            with read_side(), connections[REPLICA].execute_wrapper(_note_failure):
                response = self.get_response(request)
            if _replica_failed.get() and request.method in ("GET", "HEAD"):
                logger.warning("A replica query failed; %s answered by the primary", request.path)
                connections[REPLICA].close()
                with primary_only():
                    response = self.get_response(request)
            return response
        finally:
            _replica_failed.reset(failed)


def _note_failure(execute, sql, params, many, context):
    try:
        return execute(sql, params, many, context)
    except DatabaseError:
        _replica_failed.set(True)
        raise
