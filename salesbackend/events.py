"""Events that several apps publish (`order_placed`, `low_stock`): Redis pub/sub for the live
alert stream (inventory.stream), sent after commit. Publishers: inventory and orders services."""

import json
import logging
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from salesbackend.background import run_on_commit

logger = logging.getLogger(__name__)


def alerts_channel() -> str:
    """The deployment's own channel. Redis pub/sub ignores database numbers, so a fixed name would
    let two deployments on one Redis server read (and inject) each other's events: the name
    carries the deployment's database (host, port and name), which no two deployments share."""
    database = settings.DATABASES["default"]
    where = ":".join(str(database.get(key) or "") for key in ("HOST", "PORT", "NAME"))
    return f"salesbackend:alerts:{where}"


@lru_cache(maxsize=1)
def _redis_client():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)


def publish(event: str, data: dict[str, Any]) -> None:
    """Publish one event now. Without REDIS_URL there is nobody to tell, so it is only logged."""
    message = json.dumps({"event": event, "data": data}, cls=DjangoJSONEncoder)
    if not settings.REDIS_URL:
        logger.info("Alert (no Redis configured): %s", message)
        return
    _redis_client().publish(alerts_channel(), message)


def publish_on_commit(event: str, data: dict[str, Any]) -> None:
    """Publish after the current transaction commits; a Redis outage is logged, not raised."""
    run_on_commit(lambda: publish(event, data), f"publish {event}")
