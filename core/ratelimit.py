"""Rate limits for pages and the API, and the client address they (and the login lockout) key on.

One mechanism: a fixed-window counter in the cache per (scope, key), the rates in
``settings.RATE_LIMITS`` ("20/min", "10/hour"). A page calls ``rate_limit_allows`` with the keys it
limits on (the client's address, an email address) and answers ``rate_limited_response`` when it is
refused, or is wrapped in ``rate_limit_posts(scope)`` to limit its POSTs per client address; an API
view names a ``throttle_scope`` and uses ``RateLimitThrottle``, which asks the same counters.

The client's address comes from ``client_ip``: ``REMOTE_ADDR``, unless ``TRUSTED_PROXY_COUNT`` says
how many proxies of ours stand in front, in which case the address the outermost of them saw.
A header the client writes itself never chooses the key.

With the cache unreachable the limits fail open (requests pass), so that booking and subscribing keep
working while Redis is down; the login lockout lives in the database and holds.
"""

import hashlib
import math
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle

_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """``"10/hour"``, ``"3/15min"`` (a number before the unit multiplies it)."""
        count, _slash, period = text.partition("/")
        digits = "".join(ch for ch in period if ch.isdigit())
        unit = period[len(digits) :]
        return cls(count=int(count), seconds=int(digits or 1) * _UNITS[unit])


def client_ip(request) -> str:
    """The caller's address. Behind ``TRUSTED_PROXY_COUNT`` proxies, the address the outermost of them
    appended to ``X-Forwarded-For``; entries to its left were written by the client and are ignored."""
    request = getattr(request, "_request", request)  # a DRF Request wraps Django's
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]


def _cache_key(scope: str, key: str, window: int) -> str:
    # Hashed: email addresses never sit in the cache in the clear, and any key fits.
    digest = hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}:{window}"


def rate_limit_wait(*, scope: str, key: str) -> float:
    """Seconds until the scope's current window for ``key`` ends."""
    rate = Rate.parse(settings.RATE_LIMITS[scope])
    return rate.seconds - (time.time() % rate.seconds)


def rate_limit_allows(*, scope: str, key: str) -> bool:
    """Counts one request for ``key`` in ``scope``; False once the scope's rate is used up.

    Every call counts, refused ones too, so hammering does not earn a fresh allowance.
    """
    rate = Rate.parse(settings.RATE_LIMITS[scope])
    cache_key = _cache_key(scope, str(key).lower(), math.floor(time.time() / rate.seconds))
    try:
        cache.add(cache_key, 0, timeout=rate.seconds + 1)
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr: this request opens the window
        cache.set(cache_key, 1, timeout=rate.seconds + 1)
        count = 1
    if count is None:  # the cache is down and ignores errors: fail open
        return True
    return count <= rate.count


def rate_limits_allow(*, scope: str, keys: list[str]) -> bool:
    """``rate_limit_allows`` for several keys (an address and an email): every key is counted."""
    return all([rate_limit_allows(scope=scope, key=key) for key in keys])


def rate_limited_response(request, *, scope: str, key: str = ""):
    """The page every rate-limited form answers: 429 with a Retry-After and a plain message."""
    wait = math.ceil(rate_limit_wait(scope=scope, key=key or client_ip(request)))
    response = render(request, "429.html", {"retry_minutes": max(1, math.ceil(wait / 60))}, status=429)
    response["Retry-After"] = str(wait)
    return response


def rate_limit_posts(scope: str):
    """A page's POSTs from one client address, limited by ``scope``; GETs (showing the form) are free."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST" and not rate_limit_allows(scope=scope, key=client_ip(request)):
                return rate_limited_response(request, scope=scope)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RateLimitThrottle(BaseThrottle):
    """DRF's face of the same counters: the view's ``throttle_scope``, keyed on ``client_ip``.

    Set ``anonymous_only`` on a subclass for limits that signed-in callers do not share.
    """

    anonymous_only = False

    def allow_request(self, request, view) -> bool:
        if self.anonymous_only and request.user and request.user.is_authenticated:
            return True
        self.scope = view.throttle_scope
        self.key = client_ip(request)
        return rate_limit_allows(scope=self.scope, key=self.key)

    def wait(self) -> float:
        return rate_limit_wait(scope=self.scope, key=self.key)


class AnonymousRateLimitThrottle(RateLimitThrottle):
    """Limits callers without an account; signed-in clients and counselors pass."""

    anonymous_only = True
