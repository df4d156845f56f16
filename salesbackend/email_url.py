"""EMAIL_URL, read into Django's e-mail settings (settings.py calls this; nothing else does).

django-environ parses the URL; this fills in what it leaves to the reader: the port each scheme
is known by, empty strings for a missing user or password, and an absolute directory for
`filemail:///var/mail` (django-environ drops the leading slash, as for SQLite paths).
"""

from typing import Any

import environ

SCHEME_PORTS = {"smtp+ssl": 465, "smtp+tls": 587, "smtps": 587}


def email_settings(url: str) -> dict[str, Any]:
    """Django's EMAIL_* settings for `url`; an unknown scheme raises ImproperlyConfigured."""
    parsed = environ.Env.email_url_config(url)
    scheme = url.split(":", 1)[0].lower()
    email = {
        "EMAIL_BACKEND": parsed["EMAIL_BACKEND"],
        "EMAIL_HOST": parsed["EMAIL_HOST"] or "localhost",
        "EMAIL_PORT": parsed["EMAIL_PORT"] or SCHEME_PORTS.get(scheme, 25),
        "EMAIL_HOST_USER": parsed["EMAIL_HOST_USER"] or "",
        "EMAIL_HOST_PASSWORD": parsed["EMAIL_HOST_PASSWORD"] or "",
        "EMAIL_USE_TLS": bool(parsed.get("EMAIL_USE_TLS")),
        "EMAIL_USE_SSL": bool(parsed.get("EMAIL_USE_SSL")),
    }
    if scheme == "filemail" and parsed["EMAIL_FILE_PATH"]:
        email["EMAIL_FILE_PATH"] = "/" + parsed["EMAIL_FILE_PATH"].lstrip("/")
    return email
