"""The admin's sign-in pages that differ from Django's; the URLconf routes their paths here
before the admin's own URLs.

- /admin/login/: Django's admin login under the sign-in budgets; for a user with two-factor
  sign-in on, a right password leads to a second step (the pending sign-in waits in the session
  as an `mfa_token`, 5 minutes) and only a right code starts the admin session.
- /admin/password_change/: the old password under the sign-in budgets.
"""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from ..forms import SecondFactorForm, SignInAuthenticationForm, SignInPasswordChangeForm
from ..mfa import services as mfa

PENDING_SIGN_IN = "accounts_mfa_pending"


def _index_url() -> str:
    return reverse("admin:index", current_app=admin.site.name)


def _login_context(request) -> dict:
    return {
        **admin.site.each_context(request),
        "title": "Log in",
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
    }


class _PasswordStepView(LoginView):
    authentication_form = SignInAuthenticationForm
    template_name = "admin/login.html"

    def form_valid(self, form):
        user = form.get_user()
        if not user.mfa_enabled:
            return super().form_valid(form)
        self.request.session[PENDING_SIGN_IN] = {
            "mfa_token": mfa.mfa_token_issue(user=user, purpose=mfa.Purpose.VERIFY),
            "next": self.get_success_url(),
        }
        return HttpResponseRedirect(reverse("admin-login-code"))


@sensitive_post_parameters()
@csrf_protect
@never_cache
def login(request):
    """The password step (Django's AdminSite.login, with our form and the code step)."""
    if request.method == "GET" and admin.site.has_permission(request):
        return HttpResponseRedirect(_index_url())
    request.current_app = admin.site.name
    context = _login_context(request)
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        context[REDIRECT_FIELD_NAME] = _index_url()
    return _PasswordStepView.as_view(extra_context=context)(request)


@sensitive_post_parameters()
@csrf_protect
@never_cache
def login_code(request):
    """The code step: a right code (or recovery code) starts the admin session."""
    pending = request.session.get(PENDING_SIGN_IN)
    if not pending:
        return redirect("admin:login")
    form = SecondFactorForm(request.POST or None, mfa_token=pending["mfa_token"])
    if request.method == "POST" and form.is_valid():
        del request.session[PENDING_SIGN_IN]
        auth_login(request, form.user)
        target = pending.get("next") or ""
        safe = url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return HttpResponseRedirect(target if safe else _index_url())
    request.current_app = admin.site.name
    return TemplateResponse(request, "admin/login_code.html", {**_login_context(request), "form": form})


def password_change(request):
    """Django's admin password change, with the old password under the sign-in budgets."""
    request.current_app = admin.site.name
    return PasswordChangeView.as_view(
        form_class=SignInPasswordChangeForm,
        success_url=reverse("admin:password_change_done", current_app=admin.site.name),
        extra_context=admin.site.each_context(request),
    )(request)
