import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from audit.models import AuditAction, AuditEntry

User = get_user_model()

pytestmark = pytest.mark.django_db

ARGS = ["--role", "salesperson", "--username", "sam", "--email", "sam@example.com"]


def test_createuser_with_password_option(capsys):
    call_command("createuser", *ARGS, "--password", "Summer-Sale-2026")

    user = User.objects.get(username="sam")
    assert user.role == "salesperson"
    assert user.is_staff
    assert user.check_password("Summer-Sale-2026")
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, entity_id=str(user.pk))
    assert entry.actor is None
    assert entry.changes["role"] == [None, "salesperson"]
    assert "Created salesperson sam" in capsys.readouterr().out


def test_createuser_reads_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", "Summer-Sale-2026")

    call_command("createuser", "--role", "ceo", "--username", "boss", "--email", "boss@example.com")

    boss = User.objects.get(username="boss")
    assert boss.role == "ceo"
    assert boss.check_password("Summer-Sale-2026")


def test_createuser_prompts_for_the_password(monkeypatch):
    monkeypatch.delenv("DJANGO_USER_PASSWORD", raising=False)
    monkeypatch.setattr("os.isatty", lambda fd: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "Summer-Sale-2026")

    call_command("createuser", "--role", "customer", "--username", "cat", "--email", "cat@example.com")

    assert User.objects.get(username="cat").check_password("Summer-Sale-2026")


def test_createuser_without_a_password_and_no_terminal_fails(monkeypatch):
    monkeypatch.delenv("DJANGO_USER_PASSWORD", raising=False)
    monkeypatch.setattr("os.isatty", lambda fd: False)

    with pytest.raises(CommandError, match="No password"):
        call_command("createuser", *ARGS)

    assert not User.objects.filter(username="sam").exists()


def test_createuser_applies_the_password_validators():
    with pytest.raises(CommandError, match="password"):
        call_command("createuser", *ARGS, "--password", "123")

    assert not User.objects.filter(username="sam").exists()


def test_createuser_refuses_a_taken_email(customer):
    args = ["--role", "customer", "--username", "other", "--email", customer.email.upper()]

    with pytest.raises(CommandError, match="email"):
        call_command("createuser", *args, "--password", "Summer-Sale-2026")

    assert not User.objects.filter(username="other").exists()


def test_createuser_rejects_an_unknown_role():
    with pytest.raises(CommandError):
        call_command("createuser", "--role", "pirate", "--username", "x", "--email", "x@example.com")
