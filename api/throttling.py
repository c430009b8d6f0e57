"""Rate limit for anonymous clients (issue 4, point 6). Editors are not throttled."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousRateThrottle(AnonRateThrottle):
    """``settings.NEWSROOM_API_ANON_RATE`` (env ``NEWSROOM_API_ANON_RATE``, default
    "120/min") per client IP, counted in the default cache; over it: 429 with Retry-After.

    The rate is read per request (not frozen at import) so tests and deployments can
    change it with ``override_settings``.
    """

    scope = "anon"

    def get_rate(self):
        return settings.NEWSROOM_API_ANON_RATE
