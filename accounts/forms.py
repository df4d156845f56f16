"""Forms of the admin's own sign-in pages, under the API's sign-in rules (API.md "Sign-in rules")."""

from django import forms
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.core.exceptions import ValidationError

from . import services
from .signin import SignInThrottled


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
