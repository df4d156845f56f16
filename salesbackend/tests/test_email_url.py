"""Red-team report (issue 21): the SMTP server is configured with EMAIL_URL."""

import socket
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import ImproperlyConfigured

from catalog.tests.factories import ProductFactory
from orders.tests.factories import place_order
from salesbackend.email_url import email_settings

from .test_production_settings import _settings_of

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://mailer:s%40cret%2Fpw@mail.example.com:2525",
            {
                "EMAIL_HOST": "mail.example.com",
                "EMAIL_PORT": 2525,
                "EMAIL_HOST_USER": "mailer",
                "EMAIL_HOST_PASSWORD": "s@cret/pw",
                "EMAIL_USE_TLS": False,
                "EMAIL_USE_SSL": False,
            },
        ),
        (
            "smtp+tls://user:pw@mail.example.com",
            {
                "EMAIL_HOST": "mail.example.com",
                "EMAIL_PORT": 587,
                "EMAIL_HOST_USER": "user",
                "EMAIL_HOST_PASSWORD": "pw",
                "EMAIL_USE_TLS": True,
                "EMAIL_USE_SSL": False,
            },
        ),
        (
            "smtp+ssl://user:pw@mail.example.com",
            {
                "EMAIL_HOST": "mail.example.com",
                "EMAIL_PORT": 465,
                "EMAIL_USE_TLS": False,
                "EMAIL_USE_SSL": True,
            },
        ),
        (
            "smtp://relay.internal",
            {
                "EMAIL_HOST": "relay.internal",
                "EMAIL_PORT": 25,
                "EMAIL_HOST_USER": "",
                "EMAIL_HOST_PASSWORD": "",
            },
        ),
    ],
)
def test_smtp_urls(url, expected):
    email = email_settings(url)

    assert email["EMAIL_BACKEND"] == SMTP
    assert {key: email[key] for key in expected} == expected


def test_console_and_file_urls():
    assert (
        email_settings("consolemail://")["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    )
    to_file = email_settings("filemail:///var/spool/sales-mail")
    assert to_file["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert to_file["EMAIL_FILE_PATH"] == "/var/spool/sales-mail"


def test_an_unknown_scheme_stops_the_app_from_starting():
    with pytest.raises(ImproperlyConfigured):
        email_settings("smtpx://mail.example.com")


def test_the_settings_read_email_url():
    started = _settings_of(
        DJANGO_DEBUG="1",
        EMAIL_URL="smtp+tls://mailer:pw@mail.example.com:2587",
        show="EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_USE_TLS, EMAIL_TIMEOUT",
    )

    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == [SMTP, "mail.example.com", "2587", "mailer", "True", "10"]


def test_without_email_url_mail_goes_to_the_console():
    started = _settings_of(DJANGO_DEBUG="1", EMAIL_URL="", show="EMAIL_BACKEND")

    assert started.stdout.strip() == "django.core.mail.backends.console.EmailBackend"


class Catcher:
    """An SMTP server that keeps what it receives."""

    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db
def test_an_order_confirmation_goes_out_through_the_smtp_server_of_email_url(
    customer, settings, django_capture_on_commit_callbacks
):
    catcher = Catcher()
    controller = Controller(catcher, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        for name, value in email_settings(f"smtp://127.0.0.1:{controller.port}").items():
            setattr(settings, name, value)
        settings.ORDER_CONFIRMATIONS = "task"
        product = ProductFactory(stock=5)
        with django_capture_on_commit_callbacks(execute=True):
            order = place_order(customer=customer, products={product: 1})
    finally:
        controller.stop()

    assert [message["Subject"] for message in catcher.messages] == [f"Order {order.number} confirmed"]
    assert catcher.messages[0]["To"] == customer.email
