"""Rate limits per client address, counted where every worker sees them (issue 12).

The API throttle (``api/throttling.py``) and the public-page limit below share
``ClientRateThrottle``: DRF's sliding-window throttle, keyed by the address from
``newsroom.clients.client_ip`` (never a forgeable header) and stored in the "throttle"
cache, which is shared by all worker processes (Redis, or a directory on this host; see
``CACHES`` in settings). A per-process cache would let each worker grant the full allowance.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
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
        return client_ip(request)

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


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
