"""Login throttles: strict per login name (guessing one account's password), looser per
client IP (many users can share an office address). Rates are the settings
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login_name" | "login_ip"]; counts live in the cache.

Only failed attempts use up the budget: people who type their password right are never
locked out by how often they log in, while a guesser is stopped after the allowed number
of misses, and then even a correct guess is refused until the window passes."""

import hashlib

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _FailedAttemptThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # DRF binds the rates when the module is imported; read them per request instead so
        # a changed setting (an override in tests, a reload) applies at once.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def throttle_success(self) -> bool:
        # Checking does not count; `record_failure` does, once the attempt has failed.
        return True

    def record_failure(self) -> None:
        if getattr(self, "key", None) is None:
            return
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


class LoginNameThrottle(_FailedAttemptThrottle):
    scope = "login_name"

    def get_cache_key(self, request, view) -> str | None:
        data = request.data if hasattr(request.data, "get") else {}
        login = data.get("username") or data.get("email")
        if not isinstance(login, str) or not login.strip():
            return None
        # Usernames and e-mails match case-insensitively, so "Ann" and "ann" share a budget.
        ident = hashlib.sha256(login.strip().casefold().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LoginIPThrottle(_FailedAttemptThrottle):
    scope = "login_ip"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
