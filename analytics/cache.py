"""Analytics answers cached through Django's cache API (Redis when REDIS_URL is set).

Never stale, without invalidation: the key holds the sales ledger's version
(`orders.selectors.sales_ledger_version`), which orders moves on after every commit that
records or reverses a sale. The next request then computes afresh; old keys simply expire
(ANALYTICS_CACHE_SECONDS). The version lives in the cache too, so a cached answer costs no
query on the sales tables at all. A transaction that commits late moves the version when
it commits, so its sales are never hidden behind an answer cached meanwhile.

The cache must be shared by every process that records sales and every process that
answers (Redis): with the local-memory cache, run one process, or set
ANALYTICS_CACHE_SECONDS=0.
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
from orders.selectors import sales_ledger_version

logger = logging.getLogger(__name__)

Answer = TypeVar("Answer")


def catalog_version() -> dict[str, Any]:
    """Changes when products are added, removed or edited: for answers listing unsold products."""
    return Product.objects.aggregate(changed=Max("updated_at"), count=Count("pk"))


def cached_answer(
    question: str, params: dict[str, Any], compute: Callable[[], Answer], *, reads_catalog: bool = False
) -> Answer:
    """The cached answer to `question` with `params`, computed and stored on a miss.

    A cache outage is logged and the answer computed: reports stay up without Redis.
    """
    try:
        key = _answer_key(question, params, reads_catalog=reads_catalog)
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


def _answer_key(question: str, params: dict[str, Any], *, reads_catalog: bool) -> str:
    version: dict[str, Any] = {"ledger": sales_ledger_version()}
    if reads_catalog:
        version["catalog"] = catalog_version()
    fingerprint = json.dumps({"params": params, "version": version}, sort_keys=True, default=str)
    return f"analytics:{question}:{hashlib.sha256(fingerprint.encode()).hexdigest()}"
