"""Analytics answers cached through Django's cache API (Redis when REDIS_URL is set).

Never stale, without invalidation: the key holds the ledger's high-water mark, the newest
`SalesRecord` id. The ledger is append-only and every sale and every reversal is a new
row, so a new or reversed sale changes the mark and the next request computes afresh;
old keys simply expire (ANALYTICS_CACHE_SECONDS).

Reading the mark is one `ORDER BY id DESC LIMIT 1` on the primary key index: a single
index probe, no scan and no aggregate over the sales table. (The orders app could bump a
version number in the cache instead, but analytics may not be imported by orders, and
signals would miss bulk inserts.)

Known limit: on PostgreSQL a transaction that took a lower id can commit after one with a
higher id; its rows then show up with the next sale or when the entry expires.
"""

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max

from catalog.models import Product
from orders.models import SalesRecord

logger = logging.getLogger(__name__)

Answer = TypeVar("Answer")


def ledger_high_water_mark() -> int:
    """The newest sales record id (0 for an empty ledger)."""
    return SalesRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def catalog_version() -> dict[str, Any]:
    """Changes when products are added, removed or edited: for answers listing unsold products."""
    return Product.objects.aggregate(changed=Max("updated_at"), count=Count("pk"))


def cached_answer(
    question: str, params: dict[str, Any], compute: Callable[[], Answer], *, reads_catalog: bool = False
) -> Answer:
    """The cached answer to `question` with `params`, computed and stored on a miss.

    A cache outage is logged and the answer computed: reports stay up without Redis.
    """
    version: dict[str, Any] = {"ledger": ledger_high_water_mark()}
    if reads_catalog:
        version["catalog"] = catalog_version()
    fingerprint = json.dumps({"params": params, "version": version}, sort_keys=True, default=str)
    key = f"analytics:{question}:{hashlib.sha256(fingerprint.encode()).hexdigest()}"
    try:
        answer = cache.get(key)
    except Exception:
        logger.warning("Analytics cache unavailable; computing %s", question, exc_info=True)
        return compute()
    if answer is None:
        answer = compute()
        try:
            cache.set(key, answer, settings.ANALYTICS_CACHE_SECONDS)
        except Exception:
            logger.warning("Could not cache the %s answer", question, exc_info=True)
    return answer
