"""Sign-in budgets, the same at every door: the API login, /admin/login/ and a password check
on PATCH users/me/ (API.md "Sign-in rules").

Failed attempts are counted per account (the username and the e-mail of one account share one
budget; an unknown name has its own) and per client IP, in fixed windows of the configured
rate (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login_name" | "login_ip"]). Every attempt
takes one try from each budget with an atomic increment in the cache (Redis INCR) before the
password is checked, so parallel guesses get no extra tries; a right password gives it back.
So only failures count: people who type their password right are never locked out by how
often they sign in, while a guesser is stopped, and then even a right password is refused
until the window passes.
"""

import contextlib
import hashlib
import logging
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from audit.context import client_ip
from salesbackend.exceptions import TooManyAttempts

User = get_user_model()
logger = logging.getLogger(__name__)


class SignInThrottled(TooManyAttempts):
    """Too many failed attempts for this account or from this address (429 in the API)."""

    def __init__(self, wait: int):
        super().__init__(f"Too many failed sign-in attempts; try again in {wait} seconds.", wait=wait)


@dataclass(frozen=True)
class _Budget:
    key: str
    limit: int
    window: int

    def take_one(self) -> int:
        """The attempts in this window, this one included (atomic)."""
        # add() starts the window only if no count is running; incr() is atomic (Redis INCR).
        cache.add(self.key, 0, timeout=self.window)
        try:
            return cache.incr(self.key)
        except ValueError:  # the window ended between add() and incr()
            cache.set(self.key, 1, timeout=self.window)
            return 1

    def give_back(self) -> None:
        with contextlib.suppress(ValueError):  # the window has ended meanwhile
            cache.decr(self.key)

    def wait(self) -> int:
        return self.window - int(time.time()) % self.window or self.window


def _budget(scope: str, ident: str) -> _Budget:
    limit, window = SimpleRateThrottle.parse_rate(None, api_settings.DEFAULT_THROTTLE_RATES[scope])
    # Windows are aligned to the clock, so a key's lifetime and `wait` agree across processes.
    return _Budget(f"signin:{scope}:{ident}:{int(time.time()) // window}", limit, window)


@dataclass(frozen=True)
class SignInAttempt:
    budgets: list[_Budget]

    def succeeded(self) -> None:
        """A right password: the try it took is given back."""
        for budget in self.budgets:
            with contextlib.suppress(Exception):  # a cache that went down meanwhile
                budget.give_back()


def sign_in_attempt(login: str | None = None, *, user=None) -> SignInAttempt:
    """Take one try from the account's and the client address's budgets, or refuse with
    SignInThrottled when either is spent. `login` is a username or e-mail (any case); give
    `user` instead when the account is known."""
    if user is None and login:
        user = User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login)).only("pk").first()
    if user is not None:
        account = f"user-{user.pk}"
    else:
        account = "name-" + hashlib.sha256((login or "").strip().casefold().encode()).hexdigest()
    budgets = [_budget("login_name", account), _budget("login_ip", client_ip.get() or "unknown")]
    try:
        over = [budget for budget in budgets if budget.take_one() > budget.limit]
    except Exception:
        # The counts live in the cache: without it, people still sign in (unthrottled, logged).
        logger.warning("Sign-in budgets unavailable: the cache is down", exc_info=True)
        return SignInAttempt([])
    if over:
        raise SignInThrottled(max(budget.wait() for budget in over))
    return SignInAttempt(budgets)
