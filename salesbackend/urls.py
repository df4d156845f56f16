from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from accounts.views import admin_site as accounts_admin
from analytics.views.dashboard import admin_index

from . import schema  # noqa: F401 - registers the OpenAPI field extensions before a schema is built
from .errors import api_not_found
from .health import healthz

api_v1 = [
    path("", include("accounts.urls")),
    path("", include("catalog.urls")),
    path("", include("inventory.urls")),
    path("", include("orders.urls")),
    path("", include("audit.urls")),
    path("analytics/", include("analytics.urls")),
    path("", include("analytics.subscription_urls")),
]

# Browsers ask every site for /favicon.ico: a small mark instead of a 404 in every console.
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" rx="3" fill="#417690"/>'
    '<path d="M4 11h2V7H4zm3 0h2V4H7zm3 0h2V8h-2z" fill="#fff"/></svg>'
)


@cache_control(max_age=86400, public=True)
def favicon(request):
    return HttpResponse(FAVICON, content_type="image/svg+xml")


urlpatterns = [
    path("", RedirectView.as_view(url="/api/docs/", permanent=False)),
    path("favicon.ico", favicon),
    # The admin index with the sales dashboard; everything else is Django's admin.
    path("admin/", admin.site.admin_view(admin_index), name="admin-dashboard"),
    # Django's admin login with a second step for staff with two-factor sign-in on.
    path("admin/login/", accounts_admin.login),
    path("admin/login/code/", accounts_admin.login_code, name="admin-login-code"),
    # The old password counts against the sign-in budgets (API.md "Sign-in rules").
    path("admin/password_change/", admin.site.admin_view(accounts_admin.password_change)),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("healthz/", healthz),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (?script): no inline script,
    # so the page's Content-Security-Policy needs no exception for it.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("reports/", include("analytics.report_urls")),
    re_path(r"^api/", api_not_found),
]

handler400 = "salesbackend.errors.handler400"
handler403 = "salesbackend.errors.handler403"
handler404 = "salesbackend.errors.handler404"
handler500 = "salesbackend.errors.handler500"

admin.site.site_header = "Sales backend"
admin.site.site_title = "Sales backend admin"
admin.site.index_title = "Sales administration"
# The app menu beside every page takes a fifth of a 1366 px screen: lists need it for their columns
# (the breadcrumbs and the index still lead everywhere).
admin.site.enable_nav_sidebar = False
# No public site behind the admin: its "View site" link would lead nowhere.
admin.site.site_url = None
