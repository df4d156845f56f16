import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from .replica import replica_configured, replica_state

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health check: database is down")
        return False


def _cache_ok() -> bool:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", timeout=5)
        ok = cache.get(key) == "ok"
        cache.delete(key)
        return ok
    except Exception:
        logger.exception("Health check: cache is down")
        return False


@csrf_exempt  # probes never send a CSRF token; anything but GET is a plain 405
@never_cache
@require_GET
def healthz(request):
    parts = {"database": _database_ok(), "cache": _cache_ok()}
    body = {"status": "ok" if all(parts.values()) else "error"}
    body.update({name: "ok" if ok else "error" for name, ok in parts.items()})
    if replica_configured():  # informative: the primary answers whatever the replica does
        body["replica"] = replica_state()
    return JsonResponse(body, status=200 if all(parts.values()) else 503)
