"""Production settings refuse what would be unsafe, checked in a fresh interpreter each."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import RequestFactory

from audit.middleware import request_ip


def _settings_of(*, show="SECURE_PROXY_SSL_HEADER, SECURE_SSL_REDIRECT", **environ):
    """Settings as a server process reads them: none of this session's variables, not even
    pytest's own PYTEST_VERSION (under which DEBUG defaults to on for the suite)."""
    ours = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "REPLICA_", "PYTEST_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update(environ, DJANGO_SETTINGS_MODULE="salesbackend.settings")
    shown = ", ".join(f"settings.{name.strip()}" for name in show.split(","))
    code = f"import django; django.setup(); from django.conf import settings; print({shown})"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_debug_off_refuses_to_start_on_the_development_secret_key():
    started = _settings_of(DJANGO_DEBUG="0")

    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr
    assert "DJANGO_SECRET_KEY" in started.stderr


def test_debug_is_off_unless_set():
    """A deployment that forgets DJANGO_DEBUG runs safe: it refuses the public development key,
    and with a key of its own it has DEBUG off and the hashed, collected static files."""
    unset = _settings_of()
    keyed = _settings_of(DJANGO_SECRET_KEY="k" * 60, show='DEBUG, STORAGES["staticfiles"]["BACKEND"]')

    assert unset.returncode != 0
    assert "DJANGO_SECRET_KEY" in unset.stderr
    assert keyed.returncode == 0, keyed.stderr
    assert keyed.stdout.split() == ["False", "whitenoise.storage.CompressedManifestStaticFilesStorage"]


def test_debug_on_when_set_runs_on_the_development_key():
    started = _settings_of(DJANGO_DEBUG="1", show="DEBUG")

    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "True"


def test_forwarded_proto_is_trusted_only_when_the_deployment_says_so():
    key = "k" * 60
    untrusted = _settings_of(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=key)
    trusted = _settings_of(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=key, DJANGO_TRUST_X_FORWARDED_PROTO="1")

    assert untrusted.returncode == trusted.returncode == 0, untrusted.stderr + trusted.stderr
    # Untrusted, no redirect either: behind a TLS proxy it would redirect for ever.
    assert untrusted.stdout.strip() == "None False"
    assert trusted.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https') True"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("198.51.100.1, 203.0.113.7", "203.0.113.7"),
        ("2001:db8::1", "2001:db8::1"),
        ("<script>", "10.0.0.2"),
        ("203.0.113.7; DROP TABLE", "10.0.0.2"),
        ("", "10.0.0.2"),
    ],
)
def test_the_client_ip_from_x_forwarded_for_must_be_an_ip_address(settings, forwarded, expected):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.2")

    assert request_ip(request) == expected


def test_without_proxies_the_forwarded_header_is_ignored(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="10.0.0.2")

    assert request_ip(request) == "10.0.0.2"
