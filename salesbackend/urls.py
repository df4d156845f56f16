from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from .errors import api_not_found
from .health import healthz

api_v1 = [
    path("", include("accounts.urls")),
    path("", include("catalog.urls")),
    path("", include("inventory.urls")),
    path("", include("orders.urls")),
    path("", include("audit.urls")),
    path("analytics/", include("analytics.urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(url="/api/docs/", permanent=False)),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("healthz/", healthz),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
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
# No public site behind the admin: its "View site" link would lead nowhere.
admin.site.site_url = None
