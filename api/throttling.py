"""Rate limit for anonymous clients (issue 4, point 6; issue 12). Editors are not throttled."""

from newsroom.ratelimit import ClientRateThrottle


class AnonymousRateThrottle(ClientRateThrottle):
    """``settings.NEWSROOM_API_ANON_RATE`` (env ``NEWSROOM_API_ANON_RATE``, default
    "120/min") per client address; over it: 429 with Retry-After.

    The address is the socket's, or the one vouched for by our trusted proxies, never a
    header the client chose; the count is shared by all workers (``newsroom/ratelimit.py``).
    """

    scope = "anon"
    rate_setting = "NEWSROOM_API_ANON_RATE"
