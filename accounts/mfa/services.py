"""The second factor for staff (API.md "Two-factor sign-in for staff"), on django-otp's devices:
a TOTP device (RFC 6238: 6 digits, 30 s) and a static device holding 10 single-use recovery codes,
stored as keyed hashes (only the user ever sees them, once).

The sign-in runs in two steps. A right password for a user with the factor on gives an
`mfa_token`: a signed ticket (5 minutes) naming the user, which serves one successful verify (its
nonce is claimed in the verify's transaction). A verify locks the user's device row before it
checks the code, so one TOTP code or recovery code signs in once however many requests race.
Wrong codes take tries from the same sign-in budgets as wrong passwords and are audited
(`mfa_failed`). Turning the factor on or off ends the user's sessions (accounts.services.sessions_end).
"""

import base64
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditAction
from audit.services import record
from salesbackend.exceptions import ConflictError

from .. import services
from ..authcache import forget_user
from ..models import UsedMfaToken
from ..signin import sign_in_attempt

User = get_user_model()

MFA_TOKEN_SECONDS = 5 * 60
RECOVERY_CODE_COUNT = 10
_TOKEN_SALT = "accounts.mfa.token"
_RECOVERY_SALT = "accounts.mfa.recovery-code"
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


class Purpose:
    """What an `mfa_token` may be used for."""

    VERIFY = "verify"  # the second step of a sign-in
    SETUP = "setup"  # STAFF_REQUIRE_2FA: set the factor up, confirm it, then verify


class InvalidMfaToken(Exception):
    """An expired, used, tampered or unsuitable `mfa_token` (401)."""


class InvalidCode(Exception):
    """A wrong or used TOTP or recovery code at the sign-in (401)."""


class MfaAlreadyOn(ConflictError):
    def __init__(self):
        super().__init__("Two-factor sign-in is already on.", code="mfa_already_enabled")


@dataclass(frozen=True)
class Setup:
    secret: str  # base32, as authenticator apps take it
    otpauth_url: str


# --- the ticket between the password and the code --------------------------------------------


def mfa_token_issue(*, user, purpose: str) -> str:
    return signing.dumps(
        {"user": user.pk, "purpose": purpose, "nonce": secrets.token_urlsafe(24)}, salt=_TOKEN_SALT
    )


def _mfa_token_read(mfa_token: str, *, purposes: set[str]) -> tuple[Any, str]:
    """The active user an unused, unexpired `mfa_token` names, and its nonce."""
    try:
        data = signing.loads(mfa_token, salt=_TOKEN_SALT, max_age=MFA_TOKEN_SECONDS)
    except signing.BadSignature as error:  # SignatureExpired included
        raise InvalidMfaToken("The sign-in token is not valid or has expired.") from error
    if not isinstance(data, dict) or data.get("purpose") not in purposes or "user" not in data:
        raise InvalidMfaToken("The sign-in token is not valid here.")
    user = User.objects.filter(pk=data["user"], is_active=True).first()
    if user is None or UsedMfaToken.objects.filter(nonce=data.get("nonce")).exists():
        raise InvalidMfaToken("The sign-in token is not valid or has been used.")
    return user, data["nonce"]


def mfa_token_user(*, mfa_token: str) -> Any:
    """The staff member a setup ticket (STAFF_REQUIRE_2FA) stands for, for setup and confirm."""
    user, _ = _mfa_token_read(mfa_token, purposes={Purpose.SETUP})
    return user


# --- codes ----------------------------------------------------------------------------------


def _recovery_hash(code: str) -> str:
    """A keyed hash of a recovery code, short enough for django-otp's token column (16)."""
    normalized = code.strip().replace("-", "").replace(" ", "").lower()
    digest = salted_hmac(_RECOVERY_SALT, normalized, algorithm="sha256").hexdigest()
    return digest[:16]


def _new_recovery_code() -> str:
    """10 random base32 characters (50 bits), shown as `abcde-fghij`."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()[:10]
    return f"{raw[:5]}-{raw[5:]}"


def _locked_totp(user, *, confirmed: bool) -> TOTPDevice | None:
    return (
        TOTPDevice.objects.select_for_update().filter(user=user, confirmed=confirmed).order_by("pk").first()
    )


def _code_is_right(user, *, code: str | None, recovery_code: str | None) -> bool:
    """Check (and use up) a code of `user`, under a lock on the device row; call in a transaction."""
    if code:
        device = _locked_totp(user, confirmed=True)
        return device is not None and device.verify_token(code)
    if recovery_code:
        static = StaticDevice.objects.select_for_update().filter(user=user).order_by("pk").first()
        if static is None:
            return False
        used, _ = StaticToken.objects.filter(device=static, token=_recovery_hash(recovery_code)).delete()
        return used == 1
    return False


def _mfa_failed(user) -> None:
    # Written on its own, outside any transaction the caller's error could roll back.
    record(actor=None, action=AuditAction.MFA_FAILED, entity=user)


# --- the lifecycle --------------------------------------------------------------------------


def mfa_setup(*, user, current_password: str | None = None, proven: bool = False) -> Setup:
    """Start (or restart) a setup: a new unconfirmed TOTP device; nothing is on until it is
    confirmed. `current_password` is checked within the sign-in budgets unless the caller
    came with a setup ticket (`proven`: the password was right a moment ago)."""
    if user.mfa_enabled:
        raise MfaAlreadyOn
    if not proven:
        services.user_password_confirm(user=user, password=current_password)
    with transaction.atomic(durable=True):
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
        record(actor=user, action=AuditAction.MFA_SETUP, entity=user)
    return Setup(secret=base64.b32encode(device.bin_key).decode(), otpauth_url=device.config_url)


def mfa_confirm(*, user, code: str) -> list[str]:
    """Turn the factor on with a code from the app: 10 new recovery codes, shown this once.
    The user's sessions from before end (sign in again, with the code)."""
    with transaction.atomic(durable=True):
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.mfa_enabled:
            raise MfaAlreadyOn
        device = _locked_totp(user, confirmed=False)
        if device is None:
            raise ValidationError({"code": ["Start the setup first."]})
        if not device.verify_token(code):
            raise ValidationError({"code": ["The code is not correct."]})
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=user).delete()
        static = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=static, token=_recovery_hash(c)) for c in codes)
        _mfa_enabled_set(user, True)
        record(actor=user, action=AuditAction.MFA_ENABLE, entity=user, changes={"mfa_enabled": [False, True]})
        services.sessions_end(user=user)
    return codes


def mfa_verify(*, mfa_token: str, code: str | None = None, recovery_code: str | None = None) -> Any:
    """The second step of a sign-in: the user, signed in (audited, single session applied), or
    InvalidMfaToken / InvalidCode / SignInThrottled."""
    user, nonce = _mfa_token_read(mfa_token, purposes={Purpose.VERIFY, Purpose.SETUP})
    if not user.mfa_enabled:  # a setup ticket verifies only once the factor is on
        raise InvalidMfaToken("Two-factor sign-in is not on for this account.")
    attempt = sign_in_attempt(user=user)
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                UsedMfaToken.objects.create(nonce=nonce)
        except IntegrityError:
            raise InvalidMfaToken("The sign-in token has been used.") from None
        if not _code_is_right(user, code=code, recovery_code=recovery_code):
            transaction.set_rollback(True)  # the ticket stays unused; only a success spends it
            right = False
        else:
            right = True
    if not right:
        _mfa_failed(user)
        raise InvalidCode
    attempt.succeeded()
    services.login_complete(user=user)
    return user


def mfa_disable(*, user, current_password: str | None, code: str | None) -> None:
    """The user turning their own factor off, proving the password and a current code."""
    services.user_password_confirm(user=user, password=current_password)
    attempt = sign_in_attempt(user=user)
    with transaction.atomic(durable=True):
        right = user.mfa_enabled and _code_is_right(user, code=code, recovery_code=None)
        if right:
            _mfa_remove(user, actor=user, action=AuditAction.MFA_DISABLE)
    if not right:
        _mfa_failed(user)
        raise ValidationError({"code": ["The code is not correct."]})
    attempt.succeeded()


def mfa_reset(*, user, actor) -> None:
    """A CEO turning someone else's factor off (a lost phone); never their own."""
    if actor.pk == user.pk:
        raise PermissionDenied("You cannot reset your own second factor; turn it off yourself.")
    with transaction.atomic(durable=True):
        _mfa_remove(user, actor=actor, action=AuditAction.MFA_RESET)


def _mfa_remove(user, *, actor, action: AuditAction) -> None:
    was_on = User.objects.select_for_update().values_list("mfa_enabled", flat=True).get(pk=user.pk)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    if not was_on:
        return  # nothing was on (at most a setup never confirmed): nothing to end
    _mfa_enabled_set(user, False)
    record(actor=actor, action=action, entity=user, changes={"mfa_enabled": [was_on, False]})
    services.sessions_end(user=user)


def _mfa_enabled_set(user, value: bool) -> None:
    User.objects.filter(pk=user.pk).update(mfa_enabled=value)
    user.mfa_enabled = value
    forget_user(user.pk)  # update() sends no post_save
