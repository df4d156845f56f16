"""Version numbers kept in the cache, for keys of cached answers and process-local copies.

A reader puts the current version of what it read into its cache key (or next to its copy);
a writer bumps the version after commit, so the next reader sees a new number and reads again.
A version that is missing (first use, cache flushed, key evicted) starts from the clock in
nanoseconds, far past any number handed out before, so an old answer never passes as current.
"""

import logging
import time

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


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
