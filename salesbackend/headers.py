"""Response headers: personal answers kept out of caches, and the pages' Content-Security-Policy."""

import secrets

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


# The pages people open in a browser: the reports, the admin and the API's docs. Everything they
# load comes from this site (no CDN, no web fonts: the docs use drf-spectacular-sidecar's files).
CSP_PATH_PREFIXES = ("/reports/", "/admin/", "/api/docs/", "/api/redoc/")


def content_security_policy(nonce: str) -> str:
    """A strict policy: scripts only from this site or inline with this response's nonce (the
    ReDoc page's start-up script); styles from this site and inline (the pages' own <style>,
    pygal's SVG charts and Swagger UI / ReDoc set styles inline); images from this site and
    data: URIs (the admin's and Swagger UI's icons); ReDoc's search runs in a blob: worker."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    """`Content-Security-Policy` on the pages under CSP_PATH_PREFIXES, with a fresh nonce per
    request in `request.csp_nonce` for the few inline scripts a template must keep
    (`<script nonce="{{ request.csp_nonce }}">`). Django 5.2 has no CSP of its own (6.0 does:
    SECURE_CSP); this is the whole of what the pages need, without a dependency."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(CSP_PATH_PREFIXES):
            return self.get_response(request)
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if not response.has_header("Content-Security-Policy"):
            response["Content-Security-Policy"] = content_security_policy(request.csp_nonce)
        return response
