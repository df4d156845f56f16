"""Version numbers kept in the cache, and answers cached under them.

A reader puts the current version of what it read into its cache key (or next to its copy);
a writer bumps the version after commit, so the next reader sees a new number and reads again.
A version that is missing (first use, cache flushed, key evicted) starts from the clock in
nanoseconds, far past any number handed out before, so an old answer never passes as current.
"""

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")


def version_get(key: str) -> int:
    """The current version under `key` (made if missing). Raises if the cache is down."""
    version = cache.get(key)
    if version is None:
        cache.add(key, time.time_ns(), timeout=None)
        version = cache.get(key)  # another process may have added first
    return version


def version_bump(key: str) -> None:
    """A new version under `key`; a cache outage is logged (readers then miss anyway)."""
    try:
        try:
            cache.incr(key)
        except ValueError:  # missing: a fresh version is a new version too
            version_get(key)
    except Exception:
        logger.warning("Could not bump the version %s", key, exc_info=True)


def version_bump_on_commit(key: str, *, also_now: bool = False) -> None:
    """Bump after the current transaction commits. `also_now` bumps before commit too, for
    process-local copies that a concurrent reader might refill from the old rows meanwhile."""
    if also_now:
        version_bump(key)
    transaction.on_commit(lambda: version_bump(key))


_process_copies: dict[str, tuple[int, Any]] = {}


def process_copy(version_key: str, load: Callable[[], T]) -> T:
    """This process's copy of what `load` reads, while the version under `version_key` is the
    one it was read at: one cache round trip instead of the queries. Without a cache, `load`
    runs every time. Callers treat the copy as read-only: other requests share it."""
    try:
        version = version_get(version_key)
    except Exception:
        return load()
    copy = _process_copies.get(version_key)
    if copy is not None and copy[0] == version:
        return copy[1]
    # The version is read before the rows: a change committed meanwhile bumps it, so this copy
    # is never taken for current once the change is visible.
    value = load()
    _process_copies[version_key] = (version, value)
    return value


def cached_by_versions(key: str, version_keys: Sequence[str], compute: Callable[[], T], timeout: int) -> T:
    """The answer stored under `key` while the versions under `version_keys` are those it was
    computed under; else computed now and stored. One cache round trip on a hit (MGET).

    The versions are read before `compute` reads the database: a change committed meanwhile
    bumps them, so what is stored can never pass for current once the change is visible. A
    cache outage is logged and the answer computed, as if there were no cache.
    """
    try:
        found = cache.get_many([*version_keys, key])
        versions = tuple(found.get(version_key) for version_key in version_keys)
        stored = found.get(key)
        # Anything else under the key (another release's format) is a miss, then overwritten.
        if isinstance(stored, tuple) and len(stored) == 2 and None not in versions and stored[0] == versions:
            return stored[1]
        versions = tuple(version or version_get(k) for version, k in zip(versions, version_keys, strict=True))
    except Exception:
        logger.warning("Cache unavailable; computing %s", key, exc_info=True)
        return compute()
    answer = compute()
    if timeout > 0:
        try:
            cache.set(key, (versions, answer), timeout)
        except Exception:
            logger.warning("Could not cache %s", key, exc_info=True)
    return answer
