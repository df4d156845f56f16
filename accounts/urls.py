from django.urls import path
from rest_framework.routers import SimpleRouter

from .views.api import LoginView, LogoutView, MeView, RefreshView, RegisterView, UserViewSet
from .views.mfa import MfaConfirmView, MfaDisableView, MfaSetupView, MfaVerifyView

router = SimpleRouter()
router.register("users", UserViewSet, basename="user")

urlpatterns = [
    path("auth/register/", RegisterView.as_view(), name="auth-register"),
    path("auth/login/", LoginView.as_view(), name="auth-login"),
    path("auth/refresh/", RefreshView.as_view(), name="auth-refresh"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("auth/mfa/setup/", MfaSetupView.as_view(), name="auth-mfa-setup"),
    path("auth/mfa/confirm/", MfaConfirmView.as_view(), name="auth-mfa-confirm"),
    path("auth/mfa/verify/", MfaVerifyView.as_view(), name="auth-mfa-verify"),
    path("auth/mfa/disable/", MfaDisableView.as_view(), name="auth-mfa-disable"),
    # Before the router, whose detail route would otherwise try "me" as an id.
    path("users/me/", MeView.as_view(), name="user-me"),
    *router.urls,
]
