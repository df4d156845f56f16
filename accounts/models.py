from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property

from .roles import Role

# The JWT claim with the session generation the token was issued under (tokens without it: 0).
SESSION_CLAIM = "session"
# Written only by their services, with update(): never by a full save of a user instance.
SERVICE_KEPT_FIELDS = ("session_generation", "mfa_enabled")


class User(AbstractUser):
    email = models.EmailField("email address", unique=True)
    # Bumped to end every session of the user at once (ban, deactivation, password change,
    # single-session login, second factor on or off): JWTs carry the number they were issued
    # under and admin sessions hash it in, so anything from before stays refused for good.
    session_generation = models.PositiveIntegerField(default=0, editable=False)
    # Whether a confirmed second factor is on (accounts.mfa keeps it with the devices).
    mfa_enabled = models.BooleanField("two-factor sign-in", default=False, editable=False)

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]
        permissions = [
            ("manage_users", "Can manage users and their roles"),
            ("view_customers", "Can view customer accounts"),
        ]

    def __str__(self) -> str:
        return self.username

    def save(self, *args, **kwargs) -> None:
        """A full save of a stored user leaves the service-kept fields alone: only
        services.sessions_end moves `session_generation` (atomically) and only accounts.mfa sets
        `mfa_enabled`; an instance read before must not write an old value back (and revive
        the sessions that were ended, or turn a second factor back on)."""
        if not self._state.adding and not kwargs.get("force_insert") and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in SERVICE_KEPT_FIELDS
            ]
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django's session hash (the password's), with the session generation mixed in once
        it has been bumped: admin sessions from before a bump no longer match and end."""
        password_hash = super()._get_session_auth_hash(secret=secret)
        if not self.session_generation:
            return password_hash
        return salted_hmac(
            "accounts.User.session_generation",
            f"{password_hash}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @cached_property
    def role(self) -> Role | None:
        """The user's role: its one group (prefetch `groups` for lists). Superusers are CEOs."""
        if self.is_superuser:
            return Role.CEO
        for group in self.groups.all():
            role = Role.from_group_name(group.name)
            if role is not None:
                return role
        return None

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER


class UsedMfaToken(models.Model):
    """An `mfa_token` (the 5-minute ticket between a right password and its second factor) that
    has served its one successful verify: the unique nonce makes the claim atomic."""

    nonce = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"mfa token {self.nonce[:8]}…"
