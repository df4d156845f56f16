"""Analytics answers cached through Django's cache API (Redis when REDIS_URL is set).

Never stale, without invalidation: an answer is stored with the sales ledger's version
(`orders.ledger.sales_ledger_version`), which orders moves on after every commit that
records or reverses a sale. The next request then computes afresh; old answers simply expire
(ANALYTICS_CACHE_SECONDS). The version lives in the cache too, so a cached answer costs no
query on the sales tables at all. A transaction that commits late moves the version when
it commits, so its sales are never hidden behind an answer cached meanwhile.

The cache must be shared by every process that records sales and every process that
answers (Redis): with the local-memory cache, run one process, or set
ANALYTICS_CACHE_SECONDS=0.
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings

from catalog.selectors import PRODUCTS_VERSION_KEY
from orders.ledger import SALES_LEDGER_VERSION_KEY
from orders.selectors import RETURNS_VERSION_KEY
from salesbackend.versions import cached_by_versions

Answer = TypeVar("Answer")


def cached_answer(
    question: str,
    params: dict[str, Any],
    compute: Callable[[], Answer],
    *,
    reads_catalog: bool = False,
    reads_returns: bool = False,
) -> Answer:
    """The cached answer to `question` with `params`, computed and stored on a miss.

    `reads_catalog`: the answer also lists products that sold nothing, so it follows product
    changes too; `reads_returns`: it counts units received back through returns, which move no
    ledger row, so it follows their receipts too. A cache outage is logged and the answer
    computed: reports stay up without Redis.
    """
    # Days are the business's (SALES_TIME_ZONE): an answer counted in another zone is another answer.
    fingerprint = json.dumps({**params, "_zone": settings.SALES_TIME_ZONE}, sort_keys=True, default=str)
    versions = [
        SALES_LEDGER_VERSION_KEY,
        *([PRODUCTS_VERSION_KEY] if reads_catalog else []),
        *([RETURNS_VERSION_KEY] if reads_returns else []),
    ]
    return cached_by_versions(
        f"analytics:{question}:{hashlib.sha256(fingerprint.encode()).hexdigest()}",
        versions,
        compute,
        settings.ANALYTICS_CACHE_SECONDS,
    )
