"""The sales ledger's version: a number that moves on whenever ledger rows are committed, for
the cache keys (and replica reads) of every answer computed from the ledger or its rollups."""

from salesbackend.replica import read_side_version_bump_on_commit
from salesbackend.versions import version_get

SALES_LEDGER_VERSION_KEY = "orders:sales-ledger-version"


def sales_ledger_version() -> int:
    """A number that changes whenever sales records are committed: for cache keys.

    `sales_ledger_append` increments it after every commit that wrote to the sales ledger. It
    lives in the cache, so reading it costs no query. When it is missing (first use, cache
    flushed or the key evicted) it starts again from the clock in nanoseconds, far past any
    number handed out before, so an answer cached under an old version is never served
    as current.
    """
    return version_get(SALES_LEDGER_VERSION_KEY)


def sales_ledger_version_bump_on_commit() -> None:
    """Move the version on once the current transaction commits (at once outside one). With a
    replica, the commit's WAL position is kept first: whoever sees the new version also finds
    the position a replica must have replayed to answer for it (salesbackend.replica)."""
    read_side_version_bump_on_commit(SALES_LEDGER_VERSION_KEY)
