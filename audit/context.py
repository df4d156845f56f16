"""The client IP of the request being served, so services can audit it without a request."""

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("audit_client_ip", default=None)
