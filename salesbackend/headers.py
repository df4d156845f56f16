"""Response headers that keep personal answers out of caches."""

from django.utils.cache import add_never_cache_headers, patch_cache_control

# Everything here answers someone signed in, or hands out tokens (the API's auth endpoints):
# the API, the report pages and their CSV/XLSX downloads, the admin and its exports. The public
# things stay cacheable: static files (whitenoise answers them before this middleware runs),
# the favicon, the API schema and its docs pages.
PRIVATE_PATH_PREFIXES = ("/api/v1/", "/reports/", "/admin/")


class NoStoreMiddleware:
    """`Cache-Control: no-store` (with Django's never-cache set: private, no-cache, max-age=0)
    on every answer under PRIVATE_PATH_PREFIXES, so neither a shared proxy nor the browser's
    disk cache keeps a report, a download or a personal API answer. A response that set its
    own Cache-Control (the alert stream's `no-cache`) keeps it and gains `no-store`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(PRIVATE_PATH_PREFIXES):
            if response.has_header("Cache-Control"):
                patch_cache_control(response, no_store=True, private=True)
            else:
                add_never_cache_headers(response)
        return response
