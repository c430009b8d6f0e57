"""Rate limits per client address, counted where every worker sees them (issue 12).

The API throttle (``api/throttling.py``) and the public-page limit below share
``ClientRateThrottle``, keyed by the address from ``newsroom.clients.client_ip`` (never a
forgeable header) and counted in the "throttle" cache, which all worker processes share
(Redis, or a directory on this host; see ``CACHES`` in settings). A per-process cache would
let each worker grant the full allowance.

Counting is a window per client (opened by its first request) with an atomic increment,
not DRF's sliding log: DRF reads the
client's list of timestamps, appends and writes it back, so N simultaneous requests from
one client all read the same list and count as one, and a client with many connections
gets many times its rate. The increment is atomic in Redis (INCR) and, for the file cache,
under an exclusive lock on the cache directory.
"""

from __future__ import annotations

import fcntl
import math
import os
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from rest_framework.throttling import SimpleRateThrottle

from .clients import client_ip

THROTTLE_CACHE = "throttle"


class ClientRateThrottle(SimpleRateThrottle):
    """Anonymous requests per client address; authenticated users are not counted.

    ``rate_setting`` names the setting holding the rate ("120/min"); it is read per request
    so deployments and tests can change it. Empty or "off" switches the limit off.
    """

    rate_setting = ""

    @property
    def cache(self):
        # A deployment (or test) that defines its own CACHES without "throttle" counts in
        # its default cache.
        alias = THROTTLE_CACHE if THROTTLE_CACHE in settings.CACHES else DEFAULT_CACHE_ALIAS
        return caches[alias]

    def get_rate(self):
        rate = getattr(settings, self.rate_setting, "") or ""
        return None if rate.strip().lower() in {"", "off", "none"} else rate

    def get_ident(self, request):
        return client_ip(request) or "unknown"

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        count, self.window_ends = count_hit(
            self.cache, self.key, duration=self.duration, now=self.timer()
        )
        return count <= self.num_requests

    def wait(self):
        """Seconds until the client's window ends and it has a fresh allowance."""
        return max(0.0, self.window_ends - self.timer())


def count_hit(cache, key: str, *, duration: int, now: float) -> tuple[int, float]:
    """Count one request in the client's current window, atomically across processes.

    A window opens at the client's first request and lasts ``duration`` seconds. Returns
    the count so far in it (this request included) and when the window ends.
    """
    if isinstance(cache, FileBasedCache):
        # Its incr is get-then-set (and resets the expiry), so the whole step runs under one
        # short exclusive lock shared by every process on this host.
        with _directory_lock(cache._dir):
            start, count = cache.get(key) or (now, 0)
            if start + duration <= now:
                start, count = now, 0
            count += 1
            cache.set(key, (start, count), math.ceil(start + duration - now))
            return count, start + duration
    if isinstance(cache, RedisCache):
        return _count_hit_redis(cache, key, duration=duration, now=now)
    # Any other shared cache: add (SET NX) and incr are atomic there too; the expiry is the
    # one set when the window opened.
    cache.add(f"{key}:start", now, duration)
    start = cache.get(f"{key}:start", now)
    cache.add(f"{key}:count", 0, duration)
    try:
        count = cache.incr(f"{key}:count")
    except ValueError:  # expired between add and incr
        cache.add(f"{key}:count", 1, duration)
        count = 1
    return count, start + duration


def _count_hit_redis(cache: RedisCache, key: str, *, duration: int, now: float):
    """One round trip, every request (issue 12, load): ``SET key 0 EX duration NX``, ``INCR``
    and ``PTTL`` in one MULTI. The window opens with the key and ends when it expires, so
    its end is now plus the time the key has left. (Four separate commands cost about a
    third of a cached page's time under load.)"""
    full_key = cache.make_and_validate_key(f"{key}:window")
    client = cache._cache.get_client(full_key, write=True)  # Django's Redis client
    pipe = client.pipeline(transaction=True)
    pipe.set(full_key, 0, ex=duration, nx=True)
    pipe.incr(full_key)
    pipe.pttl(full_key)
    _created, count, milliseconds_left = pipe.execute()
    if milliseconds_left < 0:  # no expiry (cannot happen: SET EX made it); start afresh
        client.expire(full_key, duration)
        milliseconds_left = duration * 1000
    return count, now + milliseconds_left / 1000


@contextmanager
def _directory_lock(directory: str):
    # FileBasedCache's incr is get-then-set; one short exclusive lock per increment makes
    # it a single step for every process on this host.
    os.makedirs(directory, exist_ok=True)
    fd = os.open(os.path.join(directory, "counters.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


class SiteRateThrottle(ClientRateThrottle):
    scope = "site"
    rate_setting = "NEWSROOM_SITE_ANON_RATE"


class SiteRateLimitMiddleware:
    """``NEWSROOM_SITE_ANON_RATE`` anonymous requests per client address to the website and
    the admin; beyond it, 429 with ``Retry-After``. Static files (served by WhiteNoise
    before this runs), the API (throttled by DRF) and health checks are exempt, and so is
    anyone logged in. Must come after ``AuthenticationMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(settings.NEWSROOM_SITE_RATE_EXEMPT_PREFIXES):
            throttle = SiteRateThrottle()
            if not throttle.allow_request(request, None):
                return self.too_many_requests(throttle.wait())
        return self.get_response(request)

    @staticmethod
    def too_many_requests(wait: float | None) -> HttpResponse:
        seconds = max(1, round(wait or 1))
        response = HttpResponse(
            f"Too many requests from your address. Please try again in {seconds} seconds.\n",
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(seconds)
        add_never_cache_headers(response)
        return response
