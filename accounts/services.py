"""Writes on users: registration, creation with a role, profile and role changes,
deactivation, and the JWT session lifecycle (login, logout, revocation).

The API, the admin and the `createuser` command all call these, so every path applies the
same rules and writes the same audit entries.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group, update_last_login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch, get_md5_hash_password

from audit.models import AuditAction
from audit.services import changes_between, record, snapshot
from salesbackend.exceptions import ApplicationError

from .authcache import forget_user
from .models import SESSION_CLAIM
from .roles import Role
from .signin import sign_in_attempt

User = get_user_model()

PROFILE_FIELDS = ("username", "email", "first_name", "last_name", "is_active")
# What user_update accepts besides PROFILE_FIELDS.
EXTRA_UPDATE_FIELDS = ("role", "password")


class InvalidCredentials(Exception):
    """Wrong login name or password, or an inactive account (callers cannot tell which)."""


class InvalidRefreshToken(Exception):
    """A refresh token that is malformed, expired, revoked or someone else's."""


def _set_role(user, role: Role) -> None:
    role = Role(role)
    user.groups.set([Group.objects.get(name=role.group_name)])
    user.is_staff = role != Role.CUSTOMER
    # Superusers count as CEOs, so a demotion must take the flag away too.
    user.is_superuser = user.is_superuser and role == Role.CEO
    user.save(update_fields=["is_staff", "is_superuser"])
    user.__dict__.pop("role", None)


def username_normalize(username: str) -> str:
    """The one form a username is stored and looked up in: Unicode NFKC, so look-alike forms
    (full-width letters, ligatures, …) are the same name as their plain twin (`ceo1`)."""
    return User.normalize_username(username)


def user_identity_check(*, username: str | None = None, email: str | None = None, exclude=None) -> None:
    """Usernames and e-mails are unique regardless of case and Unicode form, and a username never
    looks like an e-mail address: logins accept either, so `victim@corp.com` as someone else's
    username would take the real owner's e-mail login. Raise a field error otherwise."""
    others = User.objects.exclude(pk=exclude.pk) if exclude is not None else User.objects.all()
    if username is not None:
        username = username_normalize(username)
    errors = {}
    if username is not None and "@" in username:
        errors["username"] = ["A username cannot contain @: it would look like an e-mail address."]
    elif username is not None and others.filter(username__iexact=username).exists():
        errors["username"] = ["A user with that username already exists."]
    if email is not None and others.filter(email__iexact=email).exists():
        errors["email"] = ["A user with that email already exists."]
    if errors:
        raise ValidationError(errors)


def user_change_check(*, user, actor, role: Role | str | None = None, is_active: bool | None = None) -> None:
    """Nobody demotes or deactivates themself: there must always be a CEO left to undo it."""
    if actor is None or actor.pk != user.pk:
        return
    if role is not None and Role(role) != user.role:
        raise ApplicationError("You cannot change your own role.", code="own_role")
    if is_active is False and user.is_active:
        raise ApplicationError("You cannot deactivate your own account.", code="own_account")


def _password_check(password: str, *, user) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error


def _user_insert(
    *, username: str, email: str, password: str | None, role: Role, first_name: str, last_name: str
) -> Any:
    email = User.objects.normalize_email(email)
    username = username_normalize(username)
    user_identity_check(username=username, email=email)
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    if password:
        _password_check(password, user=user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Two sign-ups with the same name or e-mail at once: the check above passed for both,
        # the unique index lets one through. Check again to name the field for the other.
        user_identity_check(username=username, email=email)
        raise
    _set_role(user, role)
    return user


def _record_created(user, *, actor) -> None:
    record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=user,
        changes={
            **{field: [None, value] for field, value in snapshot(user, PROFILE_FIELDS).items()},
            "role": [None, user.role],
        },
    )


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    password: str | None,
    role: Role = Role.CUSTOMER,
    first_name: str = "",
    last_name: str = "",
    actor=None,
) -> Any:
    """Create a user with exactly one role. `actor` is the staff member doing it, or None
    for the command line. Without a password the account cannot log in until one is set."""
    user = _user_insert(
        username=username,
        email=email,
        password=password,
        role=role,
        first_name=first_name,
        last_name=last_name,
    )
    _record_created(user, actor=actor)
    return user


@transaction.atomic
def user_register(
    *, username: str, email: str, password: str, first_name: str = "", last_name: str = ""
) -> Any:
    """Self-registration: always a customer, whatever else the caller asked for."""
    user = _user_insert(
        username=username,
        email=email,
        password=password,
        role=Role.CUSTOMER,
        first_name=first_name,
        last_name=last_name,
    )
    _record_created(user, actor=user)
    return user


@transaction.atomic
def user_update(*, user, actor, data: dict[str, Any]) -> Any:
    """Change profile fields, password, role or active flag; each kind of change is audited.

    `data` holds only what changes (keys from PROFILE_FIELDS, `role`, `password`). Callers
    decide who may change what; the rules that hold everywhere are enforced here.
    """
    data = dict(data)
    unknown = set(data) - set(PROFILE_FIELDS) - set(EXTRA_UPDATE_FIELDS)
    if unknown:
        raise ValueError(f"user_update cannot change {sorted(unknown)}")
    role = data.pop("role", None)
    password = data.pop("password", None)
    user_change_check(user=user, actor=actor, role=role, is_active=data.get("is_active"))
    if "email" in data:
        data["email"] = User.objects.normalize_email(data["email"])
    if "username" in data:
        data["username"] = username_normalize(data["username"])
    user_identity_check(username=data.get("username"), email=data.get("email"), exclude=user)

    before = snapshot(user, PROFILE_FIELDS)
    for field, value in data.items():
        setattr(user, field, value)
    if password:
        _password_check(password, user=user)
        user.set_password(password)
    user.save()
    changes = changes_between(before, snapshot(user, PROFILE_FIELDS))
    if password:
        changes["password"] = ["***", "***"]
    if changes:
        record(actor=actor, action=AuditAction.UPDATE, entity=user, changes=changes)
    if password or (before["is_active"] and not user.is_active):
        # For good: tokens and admin sessions from before stay refused after a reactivation.
        sessions_end(user=user)

    if role is not None and Role(role) != user.role:
        old_role = user.role
        _set_role(user, Role(role))
        record(
            actor=actor, action=AuditAction.ROLE_CHANGE, entity=user, changes={"role": [old_role, user.role]}
        )
    return user


def user_profile_update(*, user, data: dict[str, Any], current_password: str | None = None) -> Any:
    """A user editing their own profile: names, and, proving the current password, e-mail or
    password. The password check comes first, outside the update's transaction, so a failed
    attempt stays counted and audited."""
    allowed = {"first_name", "last_name", "email", "password"}
    if set(data) - allowed:
        raise ValueError(f"a profile update cannot change {sorted(set(data) - allowed)}")
    new_email = "email" in data and data["email"].casefold() != user.email.casefold()
    if data.get("password") or new_email:
        user_password_confirm(user=user, password=current_password)
    return user_update(user=user, actor=user, data=data)


@transaction.atomic
def user_deactivate_own_account(*, user) -> None:
    """A customer closing their account: inactive, tokens revoked; their orders stay."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    record(actor=user, action=AuditAction.UPDATE, entity=user, changes={"is_active": [True, False]})
    sessions_end(user=user)


def tokens_revoke(*, user) -> None:
    """Blacklist every outstanding refresh token of `user` (logout everywhere)."""
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )


def sessions_end(*, user) -> None:
    """End every session `user` has: refresh tokens are blacklisted, and the user's session
    generation moves on, so access tokens and admin sessions from before are refused for good
    (also after a reactivation), checked from the auth cache on every request."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    forget_user(user.pk)  # update() sends no post_save
    tokens_revoke(user=user)


def tokens_issue(*, user) -> dict[str, str]:
    """A new refresh token (recorded as outstanding, so it can be revoked) and its access token,
    both carrying the user's session generation (simplejwt's `for_user`, plus that claim)."""
    refresh = RefreshToken()
    refresh[jwt_settings.USER_ID_CLAIM] = str(getattr(user, jwt_settings.USER_ID_FIELD))
    if jwt_settings.CHECK_REVOKE_TOKEN:
        refresh[jwt_settings.REVOKE_TOKEN_CLAIM] = get_md5_hash_password(user.password)
    refresh[SESSION_CLAIM] = user.session_generation
    OutstandingToken.objects.create(
        user=user,
        jti=refresh[jwt_settings.JTI_CLAIM],
        token=str(refresh),
        created_at=refresh.current_time,
        expires_at=datetime_from_epoch(refresh["exp"]),
    )
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def tokens_refresh(*, refresh: str) -> dict[str, str]:
    """Trade a refresh token for a new pair; the old one is revoked (rotation).

    The token's outstanding row is locked before it is checked and blacklisted, so parallel
    requests with one token queue on that row: the first gets a new pair, every other finds
    it blacklisted and is refused. Raises InvalidRefreshToken.
    """
    try:
        token = RefreshToken(refresh)  # type: ignore[arg-type]  # simplejwt takes the encoded token; its hint says Token
    except TokenError as error:
        raise InvalidRefreshToken(str(error)) from error
    with transaction.atomic(durable=True):
        # order_by(): the model orders by user, an outer join FOR UPDATE cannot lock.
        outstanding = (
            OutstandingToken.objects.select_for_update()
            .filter(jti=token.payload.get(jwt_settings.JTI_CLAIM))
            .order_by()
            .first()
        )
        if outstanding is None or outstanding.user is None:
            raise InvalidRefreshToken("Token is not valid.")
        if BlacklistedToken.objects.filter(token=outstanding).exists():
            raise InvalidRefreshToken("Token is blacklisted")
        user = outstanding.user
        if not user.is_active:
            raise InvalidRefreshToken("No active account found for the given token.")
        if token.payload.get(SESSION_CLAIM, 0) != user.session_generation:
            raise InvalidRefreshToken("This session has ended; sign in again.")
        BlacklistedToken.objects.create(token=outstanding)
        return tokens_issue(user=user)


class SecondFactorSetupRequired(Exception):
    """STAFF_REQUIRE_2FA and a staff member without a second factor: a right password, but no
    session until one is set up."""

    def __init__(self, user):
        super().__init__("Two-factor sign-in must be set up for this account.")
        self.user = user


def user_login(*, login: str, password: str, staff_only: bool = False) -> Any:
    """Check the credentials (`login` is a username or e-mail, any case) within the sign-in
    budgets, and audit the attempt. The API login and /admin/login/ (`staff_only`) call it.

    Returns the user: signed in, or, when `user.mfa_enabled`, waiting for the second factor
    (accounts.mfa verify completes the sign-in). Raises SignInThrottled when a budget is spent,
    InvalidCredentials for a wrong name or password and for inactive (or, with `staff_only`,
    non-staff) accounts alike, SecondFactorSetupRequired (STAFF_REQUIRE_2FA).
    """
    login = username_normalize(login)
    attempt = sign_in_attempt(login)
    user = authenticate(username=login, password=password)
    if user is None or (staff_only and not user.is_staff):
        # Written on its own, outside any transaction the caller's error could roll back.
        record(actor=None, action=AuditAction.LOGIN_FAILED, entity_type="accounts.user", entity_repr=login)
        raise InvalidCredentials
    attempt.succeeded()
    if user.mfa_enabled:
        return user  # the second step signs in
    if settings.STAFF_REQUIRE_2FA and user.is_staff:
        raise SecondFactorSetupRequired(user)
    login_complete(user=user)
    return user


def login_complete(*, user) -> None:
    """A sign-in that passed every check: audited, and with AUTH_SINGLE_SESSION on the user's
    other sessions end (the caller then issues tokens or starts the admin session under the
    new session generation)."""
    with transaction.atomic(durable=True):
        if jwt_settings.UPDATE_LAST_LOGIN:
            update_last_login(type(user), user)
        record(actor=user, action=AuditAction.LOGIN, entity=user)
        if settings.AUTH_SINGLE_SESSION:
            sessions_end(user=user)


def user_password_confirm(*, user, password: str | None) -> None:
    """A signed-in user proving who they are (changing password or e-mail), within the same
    sign-in budget as a login: a wrong password counts and is audited as a failed login."""
    attempt = sign_in_attempt(user=user)
    if not (password and user.check_password(password)):
        record(actor=user, action=AuditAction.LOGIN_FAILED, entity=user)
        raise ValidationError({"current_password": ["The current password is not correct."]})
    attempt.succeeded()


@transaction.atomic
def user_logout(*, user, refresh: str) -> None:
    """Revoke one refresh token of `user`; someone else's or an unusable token is refused."""
    try:
        token = RefreshToken(refresh)  # type: ignore[arg-type]  # simplejwt takes the encoded token; its hint says Token
    except TokenError as error:
        raise InvalidRefreshToken(str(error)) from error
    if str(token.payload.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
        raise InvalidRefreshToken("Token does not belong to this user.")
    token.blacklist()
    record(actor=user, action=AuditAction.LOGOUT, entity=user)
