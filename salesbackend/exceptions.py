"""Domain errors raised by services. The API turns them into JSON responses; the admin
and commands show their message. Field errors use Django's ValidationError."""

from typing import Any


class ApplicationError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra = extra or {}


class ConflictError(ApplicationError):
    """Valid input that conflicts with the current state: stock, a transition, a duplicate."""

    status_code = 409
    default_code = "conflict"


class InsufficientStock(ConflictError):
    default_code = "insufficient_stock"

    def __init__(self, shortfalls: list[dict[str, Any]]):
        super().__init__("Not enough stock.", extra={"items": shortfalls})
        self.shortfalls = shortfalls


class TooManyAttempts(ApplicationError):
    """A budget of attempts is spent (sign-in throttles); retry after `wait` seconds."""

    status_code = 429
    default_code = "throttled"

    def __init__(self, message: str, *, wait: int):
        super().__init__(message)
        self.wait = wait
