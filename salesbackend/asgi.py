"""The ASGI entry point that gunicorn's uvicorn workers serve (Procfile, gunicorn.conf.py).

Two Django handlers behind one port:

- the live alert stream (`/api/v1/alerts/stream/`, Server-Sent Events) goes to Django's ASGI
  handler, where each open stream is a coroutine waiting on Redis, never a thread;
- every other request (the API, the admin, the reports: synchronous Django and DRF) goes to
  Django's WSGI handler on a pool of WEB_THREADS threads (a2wsgi).

Measured with `make loadtest`: Django's ASGI handler runs synchronous views one at a time per
process, with four thread hops per request, and answered 1.7-2.2x fewer light requests per
second than the same views on a thread pool (README "Performance").
"""

import os

from a2wsgi import WSGIMiddleware
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application

from salesbackend.uploads import ChunkedBodyMiddleware

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesbackend.settings")

STREAM_PATH_PREFIX = "/api/v1/alerts/stream"

django_asgi = get_asgi_application()

# Django's WSGI handler drops a body sent in chunks (no Content-Length): ChunkedBodyMiddleware
# gives it its length first, or answers 413 past the limit.
django_wsgi = WSGIMiddleware(
    ChunkedBodyMiddleware(get_wsgi_application()), workers=int(os.environ.get("WEB_THREADS", "8"))
)


async def application(scope, receive, send) -> None:
    if scope["type"] == "http" and not scope["path"].startswith(STREAM_PATH_PREFIX):
        await django_wsgi(scope, receive, send)
    else:
        await django_asgi(scope, receive, send)
