"""gunicorn settings, read from the environment; gunicorn loads this file from the working directory.

One server model for every door: gunicorn supervising uvicorn workers (ASGI), so the API, the admin,
the reports and the Server-Sent Events alert stream share one port behind one proxy.
"""

import os

# A container's server listens on every interface; set HOST to narrow it.
host = os.environ.get("HOST", "0.0.0.0")  # noqa: S104
bind = f"{host}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "uvicorn_worker.UvicornWorker"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 20
# The TLS proxy in front sends X-Forwarded-*; trust it only from where it runs.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
