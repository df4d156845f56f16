"""Forms of the admin's own sign-in pages, under the API's sign-in rules (API.md "Sign-in rules")."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm, AdminPasswordChangeForm
from django.core.exceptions import ValidationError

from . import services
from .mfa import services as mfa
from .signin import SignInThrottled


class SignInAuthenticationForm(AdminAuthenticationForm):
    """/admin/login/ under the API's sign-in rules: the same budgets, the same audit entries.
    A user with two-factor sign-in on passes this step only to the code step."""

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = services.user_login(login=username, password=password, staff_only=True)
            except SignInThrottled as refusal:
                raise forms.ValidationError(refusal.message, code="throttled") from None
            except services.InvalidCredentials:
                raise self.get_invalid_login_error() from None
            except services.SecondFactorSetupRequired:
                raise forms.ValidationError(
                    "Your account needs two-factor sign-in: set it up through the API "
                    "(POST /api/v1/auth/login/, then auth/mfa/setup/ and confirm/) before "
                    "signing in here.",
                    code="mfa_setup_required",
                ) from None
        return self.cleaned_data


class SecondFactorForm(forms.Form):
    """The code step of /admin/login/: a TOTP code or a recovery code, under the sign-in budgets."""

    code = forms.CharField(
        required=False,
        max_length=6,
        label="Code",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
    recovery_code = forms.CharField(required=False, max_length=32, label="Or a recovery code")

    def __init__(self, *args, mfa_token: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.mfa_token = mfa_token
        self.user = None

    def clean(self):
        code, recovery_code = self.cleaned_data.get("code"), self.cleaned_data.get("recovery_code")
        if bool(code) == bool(recovery_code):
            raise forms.ValidationError("Enter either the code from your app or a recovery code.")
        if code and not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise forms.ValidationError("Enter the 6-digit code from your authenticator app.")
        try:
            self.user = mfa.mfa_verify(mfa_token=self.mfa_token, code=code, recovery_code=recovery_code)
        except SignInThrottled as refusal:
            raise forms.ValidationError(refusal.message, code="throttled") from None
        except mfa.InvalidMfaToken:
            raise forms.ValidationError("This sign-in has expired: start again.", code="expired") from None
        except mfa.InvalidCode:
            raise forms.ValidationError("The code is not correct.", code="invalid_code") from None
        return self.cleaned_data


class SignInPasswordChangeForm(AdminPasswordChangeForm):
    """/admin/password_change/: the old password is checked like `current_password` on
    PATCH users/me/ (the same budgets, a wrong one audited as a failed login), and the new one
    is set by the service (audited, the user's tokens and other sessions end)."""

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        try:
            services.user_password_confirm(user=self.user, password=old_password)
        except SignInThrottled as refusal:
            raise forms.ValidationError(refusal.message, code="throttled") from None
        except ValidationError:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            ) from None
        return old_password

    def save(self, commit=True):
        return services.user_update(
            user=self.user, actor=self.user, data={"password": self.cleaned_data["new_password1"]}
        )
