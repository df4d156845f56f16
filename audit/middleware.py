import ipaddress

from django.conf import settings

from .context import client_ip


def request_ip(request) -> str | None:
    """The client address, for the audit log and sign-in budgets. X-Forwarded-For is read
    only behind DJANGO_NUM_PROXIES proxies (the hop the nearest trusted proxy saw), and only
    a valid IP address is taken from it: anything else falls back to the peer address."""
    num_proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if num_proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        address = _valid_ip(hops[-min(num_proxies, len(hops))])
        if address is not None:
            return address
    return _valid_ip(request.META.get("REMOTE_ADDR") or "")


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_ip.set(request_ip(request))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
