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

Without a working cache the budgets do not switch off: each process counts in its own memory
instead (per process, so a guesser gets at most the budget times the number of processes), and
the counts are logged as a warning.
"""

import contextlib
import hashlib
import logging
import threading
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

    def take_one_here(self) -> int:
        return _fallback.take(self.key, self.window)

    def give_back_here(self) -> None:
        _fallback.give_back(self.key)

    def wait(self) -> int:
        return self.window - int(time.time()) % self.window or self.window


class _ProcessCounts:
    """The budgets' counts in this process's memory, for when the cache fails: windows that
    have ended are dropped as new ones start, so it stays as small as the current window."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}  # key -> (count, end of its window)

    def take(self, key: str, window: int) -> int:
        now = time.time()
        with self._lock:
            for stale in [k for k, (_, ends) in self._counts.items() if ends <= now]:
                del self._counts[stale]
            count, ends = self._counts.get(key, (0, (now // window + 1) * window))
            self._counts[key] = (count + 1, ends)
            return count + 1

    def give_back(self, key: str) -> None:
        with self._lock:
            if key in self._counts:
                count, ends = self._counts[key]
                self._counts[key] = (max(count - 1, 0), ends)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


_fallback = _ProcessCounts()


def _budget(scope: str, ident: str) -> _Budget:
    limit, window = SimpleRateThrottle.parse_rate(None, api_settings.DEFAULT_THROTTLE_RATES[scope])
    # Windows are aligned to the clock, so a key's lifetime and `wait` agree across processes.
    return _Budget(f"signin:{scope}:{ident}:{int(time.time()) // window}", limit, window)


@dataclass(frozen=True)
class SignInAttempt:
    budgets: list[_Budget]
    in_process: bool = False  # counted in this process's memory: the cache was down

    def succeeded(self) -> None:
        """A right password: the try it took is given back."""
        for budget in self.budgets:
            if self.in_process:
                budget.give_back_here()
                continue
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
    in_process = False
    try:
        over = [budget for budget in budgets if budget.take_one() > budget.limit]
    except Exception:
        # Fail closed: without the cache the budgets are counted in this process instead.
        logger.warning("Sign-in budgets counted per process: the cache is down", exc_info=True)
        in_process = True
        over = [budget for budget in budgets if budget.take_one_here() > budget.limit]
    if over:
        raise SignInThrottled(max(budget.wait() for budget in over))
    return SignInAttempt(budgets, in_process=in_process)
