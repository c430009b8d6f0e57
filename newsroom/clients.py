"""The client's network address, as far as this deployment can vouch for it (issue 12).

``X-Forwarded-For`` is a list a client can start with anything it likes; only the entries
appended by proxies we run are facts. With ``NEWSROOM_TRUSTED_PROXIES = N`` the N-th entry
from the right is the address the outermost trusted proxy saw; with 0 (the default, no
proxy) the header is ignored and the socket's ``REMOTE_ADDR`` is the client. Everything
that counts per client (the API throttle, the public-page rate limit, django-axes'
lock-out) asks this one function, so a forged header cannot buy a fresh allowance from any
of them.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or the N-th ``X-Forwarded-For`` entry from the
    right when N trusted proxies stand in front of the site. None for a request without a
    valid address (one built in code, e.g. by ``Client.force_login``): django-axes stores the
    value in an IP-address column, which refuses anything else on PostgreSQL."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.NEWSROOM_TRUSTED_PROXIES
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            candidate = _valid(forwarded[-proxies])
            if candidate:
                return candidate
        # Fewer entries than trusted proxies: the request did not come through all of
        # them, so nothing in the header is vouched for; the socket address is.
    return _valid(remote)


def _valid(text: str) -> str | None:
    """``text`` as a normalised IP address, or None if it is not one (ports are dropped)."""
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:443"
        text = text.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out log-in: the admin-styled page, 429, Retry-After."""
    from axes.helpers import get_cool_off
    from django.shortcuts import render

    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    response = render(
        request,
        "registration/locked_out.html",
        {"cooloff_minutes": max(1, -(-seconds // 60))},
        status=429,
    )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
