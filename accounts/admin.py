"""User management in the admin (CEO only: salespersons hold no `accounts.*_user` permission).

Every save goes through accounts.services, like the API, so the same rules apply (no
self-demotion, unique e-mail in any case, password validators) and the audit entries are
written. Role is a field of its own; the groups behind it are not edited by hand here.
"""

from contextvars import ContextVar

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist
from django.db.models.constants import LOOKUP_SEP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from salesbackend.admin import InternalTableAdminMixin, ReadOnlyAdminMixin
from salesbackend.exceptions import ApplicationError

from . import services
from .forms import SignInAuthenticationForm
from .roles import Role
from .selectors import users_with_role

User = get_user_model()

# The admin's password view builds its form without the request; it learns the actor here.
_password_actor: ContextVar = ContextVar("admin_password_actor", default=None)


class UserAdminChangeForm(UserChangeForm):
    role = forms.ChoiceField(choices=Role.choices)

    class Meta(UserChangeForm.Meta):
        fields = ("username", "password", "email", "first_name", "last_name", "is_active")

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["role"].initial = self.instance.role

    def clean(self):
        cleaned = super().clean()
        try:
            services.user_identity_check(
                username=cleaned.get("username"), email=cleaned.get("email"), exclude=self.instance
            )
            # self.instance already holds the submitted values; the rule compares with the stored ones.
            stored = User.objects.get(pk=self.instance.pk)
            services.user_change_check(
                user=stored, actor=self.actor, role=cleaned.get("role"), is_active=cleaned.get("is_active")
            )
        except ApplicationError as error:
            raise forms.ValidationError(error.message, code=error.code) from error
        return cleaned


class UserAdminCreationForm(UserCreationForm):
    role = forms.ChoiceField(choices=Role.choices, initial=Role.CUSTOMER)

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email", "first_name", "last_name")

    def clean(self):
        cleaned = super().clean()
        services.user_identity_check(username=cleaned.get("username"), email=cleaned.get("email"))
        return cleaned


class UserAdminPasswordForm(AdminPasswordChangeForm):
    """Sets a new password through the service (audited, tokens revoked). Disabling
    password login is not offered: deactivate the account instead."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields.pop("usable_password", None)
        self.fields["password1"].required = True
        self.fields["password2"].required = True

    def save(self, commit=True):
        return services.user_update(
            user=self.user, actor=_password_actor.get(), data={"password": self.cleaned_data["password1"]}
        )


class RoleListFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        return users_with_role(Role(self.value()), queryset) if self.value() else queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    change_password_form = UserAdminPasswordForm
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "role",
        "is_active",
        "mfa_enabled",
        "date_joined",
    )
    list_filter = (RoleListFilter, "is_active", "date_joined")
    search_fields = ("username", "email", "first_name", "last_name")
    ordering = ("username",)
    readonly_fields = ("mfa_enabled", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Role and access", {"fields": ("role", "is_active", "mfa_enabled")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "first_name", "last_name", "role", "password1", "password2"),
            },
        ),
    )
    filter_horizontal = ()

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="role")
    def role(self, user) -> str:
        return Role(user.role).label if user.role else "-"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            return form

        class ActorBoundForm(form):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, actor=request.user, **form_kwargs)

        return ActorBoundForm

    def save_form(self, request, form, change):
        # The service saves and audits; save_model below then has nothing left to do.
        if not change:
            data = form.cleaned_data
            return services.user_create(
                username=data["username"],
                email=data["email"],
                password=data["password1"],
                role=Role(data["role"]),
                first_name=data["first_name"],
                last_name=data["last_name"],
                actor=request.user,
            )
        editable = set(services.PROFILE_FIELDS) | {"role"}
        changed = {field: form.cleaned_data[field] for field in form.changed_data if field in editable}
        return services.user_update(
            user=User.objects.get(pk=form.instance.pk), actor=request.user, data=changed
        )

    def save_model(self, request, obj, form, change):
        """Already saved by the service in save_form."""

    def has_delete_permission(self, request, obj=None) -> bool:
        # No service deletes a user (and none writes its audit entry): ban with is_active instead.
        return False

    def save_related(self, request, form, formsets, change):
        # The forms have no many-to-many fields (groups follow the role), only inlines to save.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def user_change_password(self, request, id, form_url=""):
        token = _password_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _password_actor.reset(token)


admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(ReadOnlyAdminMixin, DjangoGroupAdmin):
    """The role groups, read-only: their permissions come from accounts.roles.ROLE_PERMISSIONS
    (a data migration syncs them, and would undo a hand edit that no audit entry records)."""


# /admin/login/ itself is accounts.views.admin_site.login (a second step for the code); the
# form is set here too for anything that asks the site for it.
admin.site.login_form = SignInAuthenticationForm

# django-otp's device admins would show TOTP secrets (and let a hand edit add a device that
# no audit entry records): devices are managed through the API (accounts.mfa) only.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


# simplejwt's own token admin shows raw refresh tokens and lets a blacklist row be deleted
# (the revoked token then works again): here tokens are listed by id only, read-only, to the CEO.
admin.site.unregister(OutstandingToken)
admin.site.unregister(BlacklistedToken)

RAW_TOKEN_FIELD = OutstandingToken._meta.get_field("token")


def _lookup_reaches_raw_token(model, lookup: str) -> bool:
    """Whether a query-string lookup (`token__startswith`, `token__token__regex`, …) reads the
    raw refresh token, following relations from `model`."""
    for part in lookup.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a transform or lookup name (`startswith`): the path ends here
        if field == RAW_TOKEN_FIELD:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


class NoRawTokenLookupsMixin:
    """The admin applies lookups from the query string (`?token__startswith=eyJ`): narrowing a
    list one character at a time would read a raw token back, so a lookup that reaches it is
    refused (400, Django's DisallowedModelAdminLookup), whatever else may be allowed."""

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        if _lookup_reaches_raw_token(self.model, lookup):  # type: ignore[attr-defined]
            return False
        return super().lookup_allowed(lookup, value, request)  # type: ignore[misc]


@admin.register(OutstandingToken)
class OutstandingTokenAdmin(
    NoRawTokenLookupsMixin, InternalTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    list_display = ("jti", "user", "created_at", "expires_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "jti")
    fields = ("jti", "user", "created_at", "expires_at")
    ordering = ("-created_at",)


@admin.register(BlacklistedToken)
class BlacklistedTokenAdmin(
    NoRawTokenLookupsMixin, InternalTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    list_display = ("token_jti", "token_user", "blacklisted_at")
    list_select_related = ("token__user",)
    search_fields = ("token__user__username", "token__jti")
    fields = ("token_jti", "token_user", "blacklisted_at")
    readonly_fields = fields
    ordering = ("-blacklisted_at",)

    @admin.display(description="jti")
    def token_jti(self, blacklisted) -> str:
        return blacklisted.token.jti

    @admin.display(description="user")
    def token_user(self, blacklisted):
        return blacklisted.token.user
