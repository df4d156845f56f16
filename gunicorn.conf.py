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
# Whose X-Forwarded-For and X-Forwarded-Proto the server believes: the uvicorn worker hands this
# list to uvicorn's proxy-headers middleware, which replaces the client address (REMOTE_ADDR: the
# audit log's IP, the per-IP sign-in budgets) and the scheme with the headers' values for
# connections from these addresses. gunicorn's and uvicorn's default, 127.0.0.1,::1, let any
# process on the machine choose the IP the app sees; here nobody is trusted unless the deployment
# names its TLS proxy (comma-separated addresses or networks, e.g. 10.0.0.5 or 10.0.0.0/24).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
