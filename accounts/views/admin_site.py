"""The admin's sign-in pages that differ from Django's: the URLconf routes /admin/password_change/
here before the admin's own URLs."""

from django.contrib import admin
from django.contrib.auth.views import PasswordChangeView
from django.urls import reverse

from ..forms import SignInPasswordChangeForm


def password_change(request):
    """Django's admin password change, with the old password under the sign-in budgets."""
    request.current_app = admin.site.name
    return PasswordChangeView.as_view(
        form_class=SignInPasswordChangeForm,
        success_url=reverse("admin:password_change_done", current_app=admin.site.name),
        extra_context=admin.site.each_context(request),
    )(request)
