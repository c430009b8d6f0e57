"""A 503 with ``Retry-After`` while the database is unavailable (issue 12).

When the database is down, refuses or drops connections, times out (connect or statement
timeout, see ``DATABASES`` in settings) or, on SQLite, stays locked beyond the busy
timeout, every request answers ``503 Service Unavailable`` with ``Retry-After``: JSON
``{"detail": ...}`` under ``/api/``, a static page (``templates/503.html``) elsewhere. The
page is rendered without a request, so no context processor, session or user lookup can
touch the database again. The broken connection is closed at once, so the next request
opens a fresh one: the site recovers by itself when the database comes back.

Only outages are turned into 503s: programming errors (``ProgrammingError``,
``IntegrityError``, an SQLite "no such table") stay 500s, so they are seen and fixed.

The middleware sits just inside ``SecurityMiddleware`` (whose headers the 503 keeps) and
outside everything that may query: sessions, authentication, messages, the views. A view
error reaches ``process_exception``; an error raised in another middleware is turned into a
500 by Django at that middleware's boundary, so the ``got_request_exception`` receiver marks
the request and ``__call__`` replaces that 500 with the 503.
"""

from __future__ import annotations

import logging
import sqlite3
import sys

from django.core.signals import got_request_exception
from django.db import connections
from django.db.utils import DatabaseError, InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
API_PREFIX = "/api/"
DETAIL = "The database is unavailable for a moment. Please retry shortly."

# SQLite reports "no such table" and syntax errors as OperationalError too: only these
# primary result codes mean the database cannot serve now (https://sqlite.org/rescode.html).
SQLITE_UNAVAILABLE = {
    5,  # SQLITE_BUSY: "database is locked" after the busy timeout
    6,  # SQLITE_LOCKED
    7,  # SQLITE_NOMEM
    10,  # SQLITE_IOERR
    13,  # SQLITE_FULL
    14,  # SQLITE_CANTOPEN
    15,  # SQLITE_PROTOCOL
}
# PostgreSQL SQLSTATE classes that mean "not now" rather than "wrong query": connection
# exception, insufficient resources (too many connections, disk full), operator
# intervention (statement timeout or cancel, shutdown, still starting up), system error.
POSTGRES_UNAVAILABLE_CLASSES = {"08", "53", "57", "58"}
POSTGRES_UNAVAILABLE_STATES = {"55P03"}  # lock_not_available (lock_timeout)

_MARK = "_newsroom_database_unavailable"


def database_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means the database cannot serve right now (an outage), as opposed to
    a fault in the query or the data."""
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    cause = error.__cause__  # the driver's exception, kept by Django's wrap_database_errors
    if isinstance(cause, sqlite3.Error):
        code = getattr(cause, "sqlite_errorcode", None)
        return code is not None and code & 0xFF in SQLITE_UNAVAILABLE
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is None:
        # No answer from a server at all: refused, reset, closed, timed out while
        # connecting, or a connection already known to be broken.
        return True
    return sqlstate[:2] in POSTGRES_UNAVAILABLE_CLASSES or sqlstate in POSTGRES_UNAVAILABLE_STATES


def unavailable_response(request) -> HttpResponse:
    if request.path_info.startswith(API_PREFIX):
        response = JsonResponse({"detail": DETAIL}, status=503)
    else:
        # No request and no context: nothing on this page can query the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)  # a shared cache must not keep serving the outage
    return response


def discard_broken_connections() -> None:
    """Close the connections now so the next request opens fresh ones.

    Left open, a connection that lost its server would be health-checked at the end of the
    request (``SELECT 1`` on a server that may never answer) and again at the start of the
    next one. Connections inside an atomic block belong to whoever opened it (a test case):
    that block's exit deals with them."""
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            continue
        try:
            connection.close()
        except DatabaseError:
            connection.connection = None


@receiver(got_request_exception, dispatch_uid="newsroom.outages.mark")
def _mark_unavailable(sender, request=None, **kwargs):
    """Remember an outage raised outside a view (in a middleware): Django is about to turn it
    into a 500 that ``DatabaseUnavailableMiddleware.__call__`` then replaces. Called inside
    Django's ``except`` block, so the exception is the one being handled."""
    error = sys.exception()
    if request is not None and error is not None and database_unavailable(error):
        setattr(request, _MARK, error)


class DatabaseUnavailableMiddleware:
    """Answers 503 instead of 500 when the database is unavailable (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, _MARK, None)
        if error is not None and response.status_code >= 500:
            return self.unavailable(request, error)
        return response

    def process_exception(self, request, exception):
        if database_unavailable(exception):
            return self.unavailable(request, exception)
        return None

    def unavailable(self, request, error: BaseException) -> HttpResponse:
        logger.warning(
            "Database unavailable, answering 503 to %s %s: %s",
            request.method,
            request.path,
            error,
        )
        discard_broken_connections()
        return unavailable_response(request)
