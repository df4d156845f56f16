"""Red-team report (issue 21): a client on the machine must not choose the IP that the audit log
and the per-IP sign-in budgets see, unless the deployment names it as its trusted proxy.

The server is gunicorn with uvicorn workers (gunicorn.conf.py): the worker hands gunicorn's
`forwarded_allow_ips` to uvicorn's proxy-headers middleware. These tests load the real
gunicorn.conf.py, build uvicorn's app stack from it as the worker does, and sign in wrongly
through it: the audit log's `ip` is what the app saw.
"""

import runpy
from pathlib import Path

import httpx
import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from gunicorn.config import Config as GunicornConfig
from uvicorn.config import Config as UvicornConfig

from audit.models import AuditAction, AuditEntry
from salesbackend.asgi import application

CONF = Path(settings.BASE_DIR) / "gunicorn.conf.py"
FORGED = "203.0.113.9"


def _gunicorn_config(monkeypatch, forwarded_allow_ips: str | None) -> GunicornConfig:
    """gunicorn.conf.py read as gunicorn reads it, with FORWARDED_ALLOW_IPS set or unset."""
    if forwarded_allow_ips is None:
        monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    else:
        monkeypatch.setenv("FORWARDED_ALLOW_IPS", forwarded_allow_ips)
    conf = runpy.run_path(str(CONF))
    config = GunicornConfig()
    config.set("forwarded_allow_ips", conf["forwarded_allow_ips"])
    return config


def _served(config: GunicornConfig):
    """The app as the uvicorn worker serves it (uvicorn_worker.UvicornWorker's config)."""
    uvicorn = UvicornConfig(
        app=application, forwarded_allow_ips=config.forwarded_allow_ips, lifespan="off", log_config=None
    )
    uvicorn.load()
    return uvicorn.loaded_app


def _failed_login_ip(app, client_address: str) -> str | None:
    async def attempt() -> int:
        transport = httpx.ASGITransport(app=app, client=(client_address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            response = await client.post(
                "/api/v1/auth/login/",
                json={"username": "nobody-here", "password": "wrong"},
                headers={"X-Forwarded-For": FORGED},
            )
            return response.status_code

    assert async_to_sync(attempt)() == 401
    entry = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).latest("id")
    return entry.ip


def test_by_default_no_proxy_is_trusted(monkeypatch):
    assert _gunicorn_config(monkeypatch, None).forwarded_allow_ips == []


def test_the_trusted_proxies_come_from_forwarded_allow_ips(monkeypatch):
    config = _gunicorn_config(monkeypatch, "10.0.0.5, 10.1.0.0/16")

    assert config.forwarded_allow_ips == ["10.0.0.5", "10.1.0.0/16"]


def test_a_malformed_proxy_address_stops_the_server_from_starting(monkeypatch):
    with pytest.raises(ValueError):
        _gunicorn_config(monkeypatch, "10.0.0.5/8")  # host bits set: a typo gunicorn refuses


@pytest.mark.django_db(transaction=True)
def test_a_local_client_cannot_choose_the_audited_ip(monkeypatch):
    app = _served(_gunicorn_config(monkeypatch, None))

    assert _failed_login_ip(app, "127.0.0.1") == "127.0.0.1"


@pytest.mark.django_db(transaction=True)
def test_the_configured_proxy_passes_on_the_client_address(monkeypatch):
    app = _served(_gunicorn_config(monkeypatch, "10.0.0.5"))

    assert _failed_login_ip(app, "10.0.0.5") == FORGED
    # Another machine (or a local process) sending the header is not believed.
    assert _failed_login_ip(app, "127.0.0.1") == "127.0.0.1"
