"""Every API error is JSON: ``{"detail": "..."}`` (issue 12).

DRF renders its own exceptions (400, 401, 403, 404, 405, 429...) as JSON already. What it
leaves to Django comes out as HTML unless handled here: an exception DRF does not know
(a bug: 500), a URL under /api/ that matches no route (404), and Django's CSRF failure (403)
for a session-authenticated write. ``newsroom/urls.py`` points ``handler404``/``handler500``
and ``CSRF_FAILURE_VIEW`` at the views below, which answer JSON under /api/ and the
site's pages elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re

from django.http import JsonResponse
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from newsroom.outages import database_unavailable

logger = logging.getLogger("django.request")

API_PREFIX = "/api/"
SERVER_ERROR = "A server error occurred. It has been logged; please try again later."


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def exception_handler(exc, context):
    """DRF's handler, plus a JSON 500 for anything it does not handle (logged with its
    traceback, as Django would; the body never shows it)."""
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    if database_unavailable(exc):
        # Not a bug: re-raised, so newsroom.outages answers 503 with Retry-After.
        return None
    request = context.get("request")
    logger.error(
        "Internal Server Error: %s",
        getattr(request, "path", "?"),
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"status_code": 500, "request": getattr(request, "_request", request)},
    )
    return Response({"detail": SERVER_ERROR}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)


def page_not_found(request, exception):
    if is_api_request(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api_request(request):
        return JsonResponse({"detail": SERVER_ERROR}, status=500)
    response = defaults.server_error(request)
    # The 500 page is self-contained (it must render when static files or the database
    # fail), so its styles are inline: the policy allows exactly that block, by hash.
    styles = re.findall(rb"<style>(.*?)</style>", response.content, re.S)
    if styles:
        response._csp_update = {"style-src": [_sha256_source(style) for style in styles]}
    return response


def _sha256_source(content: bytes) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(content).digest()).decode()}'"


def csrf_failure(request, reason=""):
    if is_api_request(request):
        return JsonResponse({"detail": f"CSRF Failed: {reason}"}, status=403)
    return django_csrf_failure(request, reason=reason)
