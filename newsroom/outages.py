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

One outage gets past every timeout of the driver and the server: a PostgreSQL server that
acknowledges packets but never answers on a connection already open (a frozen process,
storage hung beneath it, a stalled proxy). TCP keepalives and ``tcp_user_timeout`` see an
acknowledging peer, and the server cannot run its statement timeout. ``guard_database_waits``
(wrapped around the WSGI application in ``newsroom/wsgi.py``) covers it: a watchdog thread
per process samples, once a second, the request threads that are inside the database
driver, and shuts the database socket of one that has sat in the *same* driver call for
``NEWSROOM_DB_STALL_SECONDS`` (the statement timeout plus a margin). The driver then fails
with "server closed the connection", an outage: the request gets its 503, the connection is
discarded, and the thread is free again.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import sys
import threading
import time

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


# --- A watchdog for stalled database calls ------------------------------------------------

_DRIVER_PATH = f"{os.sep}psycopg{os.sep}"
SAMPLE_SECONDS = 1.0


class StallWatchdog:
    """Shuts the PostgreSQL sockets of request threads stuck in one driver call too long.

    Request threads register on entry (``watching``); a daemon thread, started lazily in
    each process (so after gunicorn forks), samples their stacks. A thread counts as stuck
    only while the outermost driver frame of its stack is the very same frame object as at
    the previous samples: many quick queries never add up to a stall."""

    def __init__(self, limit_seconds: float):
        self.limit = limit_seconds
        self._lock = threading.Lock()
        self._watched: dict[int, list] = {}  # thread ident -> its database wrappers
        self._stuck: dict[int, tuple[object, float]] = {}  # ident -> (driver frame, since)
        self._pid = None

    def watching(self, wrappers: list):
        return _Watch(self, wrappers)

    def _enter(self, wrappers: list) -> int:
        ident = threading.get_ident()
        with self._lock:
            self._watched[ident] = wrappers
            if self._pid != os.getpid():  # first request in this process
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="db-stall-watchdog", daemon=True).start()
        return ident

    def _leave(self, ident: int) -> None:
        with self._lock:
            self._watched.pop(ident, None)

    def _run(self) -> None:
        while True:
            time.sleep(SAMPLE_SECONDS)
            try:
                self.sample(time.monotonic())
            except Exception:  # the watchdog must outlive any surprise
                logger.exception("Database stall watchdog failed a sample")

    def sample(self, now: float) -> list[int]:
        """Check every watched thread once; returns the threads whose sockets were shut."""
        frames = sys._current_frames()
        with self._lock:
            watched = list(self._watched.items())
        stuck, shut = {}, []
        for ident, wrappers in watched:
            frame = _outermost_driver_frame(frames.get(ident))
            if frame is None:
                continue
            previous, since = self._stuck.get(ident, (None, now))
            since = since if previous is frame else now
            if now - since >= self.limit:
                logger.warning(
                    "A database call has not returned for %.0f s: closing its connection",
                    now - since,
                )
                for wrapper in wrappers:
                    shut_socket(wrapper)
                shut.append(ident)
            else:
                stuck[ident] = (frame, since)
        self._stuck = stuck
        return shut


class _Watch:
    def __init__(self, watchdog: StallWatchdog, wrappers: list):
        self.watchdog, self.wrappers = watchdog, wrappers

    def __enter__(self):
        self.ident = self.watchdog._enter(self.wrappers)

    def __exit__(self, *exc_info):
        self.watchdog._leave(self.ident)


def _outermost_driver_frame(frame):
    """The outermost frame of the driver's code on this stack, or None."""
    found = None
    while frame is not None:
        if _DRIVER_PATH in frame.f_code.co_filename:
            found = frame
        frame = frame.f_back
    return found


def shut_socket(wrapper) -> None:
    """Shut down the socket of a Django database wrapper's open connection, from any thread:
    a call blocked on it returns at once with an error."""
    connection = wrapper.connection
    if connection is None:
        return
    try:
        fd = connection.pgconn.socket
        with socket.socket(fileno=os.dup(fd)) as sock:  # shutdown acts on the shared socket
            sock.shutdown(socket.SHUT_RDWR)
    except Exception:  # already closed, or closing under us: nothing left to unblock
        pass


def guard_database_waits(application):
    """Wrap a WSGI application so that its PostgreSQL calls cannot hang for good (see the
    module docstring). Without PostgreSQL or with ``NEWSROOM_DB_STALL_SECONDS`` 0, the
    application is returned as it is."""
    from django.conf import settings

    limit = getattr(settings, "NEWSROOM_DB_STALL_SECONDS", 0)
    aliases = [
        alias
        for alias, config in settings.DATABASES.items()
        if config["ENGINE"] == "django.db.backends.postgresql"
    ]
    if not limit or not aliases:
        return application
    watchdog = StallWatchdog(limit)

    def guarded(environ, start_response):
        # This thread's wrappers (made now if need be; connecting stays lazy), registered
        # before Django's request_started health check can touch the connection.
        with watchdog.watching([connections[alias] for alias in aliases]):
            return application(environ, start_response)

    guarded.watchdog = watchdog
    return guarded
