from django.urls import path
from rest_framework.routers import SimpleRouter

from .views.api import LoginView, LogoutView, MeView, RefreshView, RegisterView, UserViewSet

router = SimpleRouter()
router.register("users", UserViewSet, basename="user")

urlpatterns = [
    path("auth/register/", RegisterView.as_view(), name="auth-register"),
    path("auth/login/", LoginView.as_view(), name="auth-login"),
    path("auth/refresh/", RefreshView.as_view(), name="auth-refresh"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    # Before the router, whose detail route would otherwise try "me" as an id.
    path("users/me/", MeView.as_view(), name="user-me"),
    *router.urls,
]
