"""Database outages (issue 12): a 503 with Retry-After, fast, and recovery without restart.

Two parts:

* in process, on the suite's database: genuine driver errors (SQLite "database is locked"
  from a real lock with a tiny timeout, a refused PostgreSQL connection) raised from every
  query of a request give a 503 (JSON under /api/, the static page elsewhere), wherever
  they are raised; programming errors stay 500s;
* live, always on PostgreSQL (skipped only when no server answers): gunicorn serves the
  site through a TCP proxy on loopback that passes traffic through, refuses connections
  (the server is down) or accepts them and never answers (a stalled server), and a lock
  held on a table makes the server's statement timeout fire. The same server process must
  answer 503 quickly in each outage and 200 again as soon as the database is back.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import IntegrityError, ProgrammingError, connection
from django.db.utils import InterfaceError, OperationalError
from django.test import Client

from newsroom.outages import database_unavailable

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = ROOT / "fixtures" / "seeds"


# --- in process --------------------------------------------------------------------------------


def sqlite_locked_error(tmp_path) -> OperationalError:
    """A real SQLITE_BUSY: another connection holds the write lock, ours waits 10 ms."""
    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    waiter = sqlite3.connect(path, timeout=0.01)
    try:
        waiter.execute("INSERT INTO t VALUES (1)")
    except sqlite3.OperationalError as error:
        # What Django's wrap_database_errors raises for the driver's error.
        django_error = OperationalError(*error.args)
        django_error.__cause__ = error
        return django_error
    finally:
        waiter.close()
        holder.close()
    raise AssertionError("the database was not locked")


def refused_postgres_error() -> OperationalError:
    """A real psycopg connection error: nothing listens on the port."""
    import psycopg

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: connections are refused
    try:
        psycopg.connect(host="127.0.0.1", port=port, connect_timeout=2)
    except psycopg.OperationalError as error:
        django_error = OperationalError(*error.args)
        django_error.__cause__ = error
        return django_error
    raise AssertionError("the connection was not refused")


def raising(error: BaseException):
    """An execute wrapper that fails every query of the request with ``error``."""

    def wrapper(execute, sql, params, many, context):
        raise error

    return wrapper


@pytest.fixture
def locked(tmp_path):
    return sqlite_locked_error(tmp_path)


@pytest.fixture
def anonymous():
    # The 500 cases must come back as responses, not re-raised into the test.
    return Client(raise_request_exception=False)


def assert_unavailable(response, *, api: bool):
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "no-store" in response["Cache-Control"]  # no proxy keeps serving the outage
    if api:
        assert response["Content-Type"] == "application/json"
        assert json.loads(response.content)["detail"]
    else:
        assert response["Content-Type"].startswith("text/html")
        assert b"unavailable" in response.content


@pytest.mark.django_db
def test_a_locked_sqlite_database_gives_503_json_on_the_api(anonymous, locked):
    """ "database is locked" after the busy timeout: the API answers 503 JSON + Retry-After."""
    with connection.execute_wrapper(raising(locked)):
        response = anonymous.get("/api/v1/articles/")
    assert_unavailable(response, api=True)


@pytest.mark.django_db
def test_a_locked_sqlite_database_gives_the_static_503_page(anonymous, locked):
    """The site answers the static 503 page, which itself never queries (every query fails
    here) and echoes nothing from the request."""
    with connection.execute_wrapper(raising(locked)):
        response = anonymous.get("/search/", {"q": "<script>alert(1)</script>"})
    assert_unavailable(response, api=False)
    assert b"<script" not in response.content


@pytest.mark.django_db
def test_a_refused_postgres_connection_gives_503(anonymous):
    """A connection error (no server) on the site and on the API."""
    error = refused_postgres_error()
    with connection.execute_wrapper(raising(error)):
        assert_unavailable(anonymous.get("/"), api=False)
        assert_unavailable(anonymous.get("/api/v1/people/"), api=True)


# serialized_rollback: the migrated data (the content version row) is back for the next test.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_connection_is_discarded_and_the_next_request_reconnects(anonymous, locked):
    """After a 503 the connection is closed, not left for a health check that may hang on
    a server that never answers; the next request opens a fresh one and is served."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("closing an in-memory SQLite database would lose it: Django never does")
    assert anonymous.get("/").status_code == 200
    assert connection.connection is not None
    with connection.execute_wrapper(raising(locked)):
        assert_unavailable(anonymous.get("/"), api=False)
    assert connection.connection is None
    assert anonymous.get("/").status_code == 200


class TouchUserMiddleware:
    """Loads the session and the user before the view, as authentication middleware do."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user.is_authenticated  # noqa: B018 - the query is the point
        return self.get_response(request)


@pytest.mark.django_db
def test_an_outage_raised_in_a_middleware_gives_503(anonymous, locked, settings):
    """The session and user lookups of a logged-in request fail in a middleware, not in the
    view: still a 503, for the site and the API."""
    from tests.factories import make_editor

    position = settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[: position + 1],
        "tests.test_outages.TouchUserMiddleware",
        *settings.MIDDLEWARE[position + 1 :],
    ]
    anonymous.force_login(make_editor())
    with connection.execute_wrapper(raising(locked)):
        assert_unavailable(anonymous.get("/people/"), api=False)
        assert_unavailable(anonymous.get("/api/v1/quotes/"), api=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error",
    [
        ProgrammingError("relation does not exist"),
        IntegrityError("duplicate key value"),
        "no such table",
    ],
    ids=["ProgrammingError", "IntegrityError", "sqlite-no-such-table"],
)
def test_programming_errors_stay_500(anonymous, error):
    """Faults in the code or the data are not dressed up as outages."""
    if error == "no such table":
        try:
            sqlite3.connect(":memory:").execute("SELECT * FROM missing")
        except sqlite3.OperationalError as cause:
            error = OperationalError(*cause.args)
            error.__cause__ = cause
    with connection.execute_wrapper(raising(error)):
        assert anonymous.get("/").status_code == 500
        assert anonymous.get("/api/v1/articles/").status_code == 500


def psycopg_error(name: str):
    import psycopg.errors

    return getattr(psycopg.errors, name)("message")


@pytest.mark.parametrize(
    ("django_type", "cause", "outage"),
    [
        (OperationalError, lambda: psycopg_error("QueryCanceled"), True),  # statement timeout
        (OperationalError, lambda: psycopg_error("AdminShutdown"), True),
        (OperationalError, lambda: psycopg_error("CannotConnectNow"), True),
        (OperationalError, lambda: psycopg_error("TooManyConnections"), True),
        (OperationalError, lambda: psycopg_error("LockNotAvailable"), True),
        (OperationalError, lambda: psycopg_error("DiskFull"), True),
        (InterfaceError, lambda: __import__("psycopg").InterfaceError("closed"), True),
        (OperationalError, lambda: psycopg_error("ProgramLimitExceeded"), False),
        (OperationalError, lambda: psycopg_error("DeadlockDetected"), False),
        (ProgrammingError, lambda: psycopg_error("UndefinedTable"), False),
        (IntegrityError, lambda: psycopg_error("UniqueViolation"), False),
        (InterfaceError, lambda: sqlite3.InterfaceError("bad parameter"), False),
    ],
)
def test_which_database_errors_are_outages(django_type, cause, outage):
    """Outage: the server cannot serve now. Not: the query or the data is wrong."""
    error = django_type("message")
    error.__cause__ = cause()
    assert database_unavailable(error) is outage


def postgres_options(**environ) -> dict:
    """``DATABASES["default"]["OPTIONS"]`` as a fresh process computes them."""
    env = {**os.environ, "DATABASE_URL": "postgres://u@db.invalid:5432/newsroom", **environ}
    env["DJANGO_SECRET_KEY"] = settings.SECRET_KEY
    code = (
        "import json, newsroom.settings as s; print(json.dumps(s.DATABASES['default']['OPTIONS']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode:
        return {"error": result.stderr}
    return json.loads(result.stdout)


def test_postgres_connections_have_timeouts_and_keepalives():
    """Defaults: 5 s to connect, 10 s per statement, keepalives; the environment sets
    them; nonsense stops start-up with the variable's name."""
    options = postgres_options()
    assert options["connect_timeout"] == 5
    assert options["options"] == "-c statement_timeout=10000"
    assert options["keepalives"] == 1 and options["tcp_user_timeout"] > 0
    options = postgres_options(NEWSROOM_DB_CONNECT_TIMEOUT="2", NEWSROOM_DB_STATEMENT_TIMEOUT="0")
    assert options["connect_timeout"] == 2
    assert options["options"] == "-c statement_timeout=0"  # no limit, e.g. for a migration
    error = postgres_options(NEWSROOM_DB_STATEMENT_TIMEOUT="soon")["error"]
    assert "NEWSROOM_DB_STATEMENT_TIMEOUT" in error


def test_the_stall_limit_follows_the_statement_timeout():
    code = "import newsroom.settings as s; print(s.NEWSROOM_DB_STALL_SECONDS)"

    def stall_seconds(**environ) -> float:
        env = {**os.environ, "DATABASE_URL": "postgres://u@db.invalid:5432/newsroom", **environ}
        env["DJANGO_SECRET_KEY"] = settings.SECRET_KEY
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
        )
        return float(result.stdout)

    assert stall_seconds() == 13  # 10 s statement timeout + 3
    assert stall_seconds(NEWSROOM_DB_STATEMENT_TIMEOUT="0") == 0  # no limit: no watchdog
    assert stall_seconds(NEWSROOM_DB_STALL_SECONDS="30") == 30


@pytest.fixture
def raw_postgres():
    """A plain psycopg connection to the PostgreSQL server, outside Django's."""
    psycopg = pytest.importorskip("psycopg")
    try:
        conn = psycopg.connect(
            with_database(postgres_server_url(), "postgres"), autocommit=True, connect_timeout=3
        )
    except psycopg.Error as error:
        pytest.skip(f"PostgreSQL is not reachable: {error}")
    try:
        yield conn
    finally:
        # close(), not ``with conn``: leaving the block commits first, which takes the
        # connection's lock and waits on its socket; after a test shut that socket under a
        # thread, or left a thread inside a call, that wait could last for ever.
        conn.close()


class _Wrapper:
    """What the watchdog needs of Django's database wrapper: ``.connection``."""

    def __init__(self, connection):
        self.connection = connection


def _in_thread(target):
    outcome = {}

    def run():
        try:
            outcome["value"] = target()
        except Exception as error:
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    return thread, outcome


def test_the_watchdog_shuts_a_call_stuck_in_the_driver(raw_postgres):
    """A thread stuck in one driver call past the limit gets its socket shut: the call
    returns at once with a connection error (an outage, so a 503), not when the server
    would have answered."""
    import psycopg

    from newsroom.outages import StallWatchdog

    watchdog = StallWatchdog(limit_seconds=2)
    started = threading.Event()

    def stuck():
        with watchdog.watching([_Wrapper(raw_postgres)]):
            started.set()
            raw_postgres.execute("SELECT pg_sleep(60)")  # the server "never" answers

    thread, outcome = _in_thread(stuck)
    thread.start()
    started.wait(5)
    time.sleep(0.3)  # inside the driver's wait by now
    now = time.monotonic()
    assert watchdog.sample(now) == []
    assert watchdog.sample(now + 1) == []
    assert watchdog.sample(now + 2) == [thread.ident]
    thread.join(10)
    assert not thread.is_alive()
    assert isinstance(outcome.get("error"), psycopg.OperationalError)


def test_many_quick_calls_never_add_up_to_a_stall(raw_postgres):
    """A thread making query after query is in the driver at most samples, but never in the
    same call for long: the watchdog leaves it alone."""
    from newsroom.outages import StallWatchdog

    watchdog = StallWatchdog(limit_seconds=0.2)
    done = threading.Event()

    def busy():
        with watchdog.watching([_Wrapper(raw_postgres)]):
            count = 0
            while not done.is_set():
                raw_postgres.execute("SELECT pg_sleep(0.01)")
                count += 1
            return count

    thread, outcome = _in_thread(busy)
    thread.start()
    shut = []
    for _ in range(40):
        time.sleep(0.05)
        shut += watchdog.sample(time.monotonic())
    done.set()
    thread.join(10)
    assert shut == []
    assert "error" not in outcome and outcome["value"] > 20


# --- live: gunicorn behind a loopback TCP proxy, on PostgreSQL ----------------------------------

CONNECT_TIMEOUT = 2  # seconds; libpq's minimum
STATEMENT_TIMEOUT = 2
MARGIN = 3  # seconds on top of a timeout, for a loaded test machine
SAMPLE = 1  # the stall watchdog looks once a second
CLIENT_TIMEOUT = 20  # the client gives up (and the test fails) well before gunicorn's 30 s
LIVE_DATABASE = "test_outages_live"


class Proxy:
    """A TCP proxy on loopback in front of PostgreSQL, in one of three modes:

    * ``pass``: traffic flows both ways;
    * ``refuse``: nothing listens on the port any more (the server is down);
    * ``drop``: connections are accepted and reset at once (a server or pooler that dies on
      every new connection);
    * ``stall``: connections are accepted and read, and never answered;
    * ``freeze``: like ``stall`` for new connections, and the connections already open stay
      open but nothing more passes on them (a frozen server process, storage hung beneath
      it: the kernel still acknowledges every packet).

    Changing the mode cuts the connections already open, as a restart of the server would,
    except when freezing.
    """

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.mode = "pass"
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.listener = self._listen(0)
        self.port = self.listener.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept_loop, daemon=True).start()

    @staticmethod
    def _listen(port: int) -> socket.socket:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        listener.settimeout(0.05)
        return listener

    def set_mode(self, mode: str) -> None:
        with self.lock:
            self.mode = mode
            if mode == "freeze":
                return
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.sockets.clear()
            if mode == "refuse" and self.listener is not None:
                self.listener.close()
                self.listener = None
            elif mode != "refuse" and self.listener is None:
                self.listener = self._listen(self.port)

    def close(self) -> None:
        self.closed = True
        self.set_mode("refuse")

    def _accept_loop(self) -> None:
        while not self.closed:
            with self.lock:
                listener = self.listener
            if listener is None:
                time.sleep(0.05)
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            client.settimeout(None)
            with self.lock:
                mode = self.mode  # as it is now, not as it was before accept() waited
                self.sockets.add(client)
            if mode == "pass":
                try:
                    server = socket.create_connection(self.upstream, timeout=5)
                except OSError:
                    client.close()
                    continue
                server.settimeout(None)
                with self.lock:
                    self.sockets.add(server)
                for pair in ((client, server), (server, client)):
                    threading.Thread(target=self._pump, args=pair, daemon=True).start()
            elif mode == "drop":
                # Linger 0: close() sends a reset, not an orderly end.
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                with self.lock:
                    self.sockets.discard(client)
                client.close()
            else:  # stall: swallow whatever comes, never answer
                threading.Thread(target=self._pump, args=(client, None), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket | None) -> None:
        try:
            while data := source.recv(65536):
                while self.mode == "freeze" and not self.closed:
                    time.sleep(0.05)  # swallow: received (so acknowledged), never passed on
                if target is not None:
                    target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)


def postgres_server_url() -> str:
    """The suite's PostgreSQL server when it runs on one, else CI's, else the local one."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = os.environ.get("CI_POSTGRES_URL") or "postgres://postgres@127.0.0.1:5432/test"
    return url


def with_database(url: str, name: str, *, port: int | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if port is not None:
        credentials = netloc.rpartition("@")[0]
        netloc = f"{credentials}@127.0.0.1:{port}" if credentials else f"127.0.0.1:{port}"
    return urlunsplit((parts.scheme, netloc, f"/{name}", parts.query, ""))


SETTINGS_MODULE = """\
from newsroom.settings import *  # noqa: F403

# As in tests/conftest.py: static files from the finders, no collectstatic needed.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
"""


def get(port: int, path: str) -> tuple[int, dict, bytes, float]:
    """One request on a fresh connection: status, headers, body and seconds taken."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        body = response.read()
        headers = {key.lower(): value for key, value in response.getheaders()}
        return response.status, headers, body, time.perf_counter() - started
    finally:
        conn.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """gunicorn (2 workers, persistent connections as in production) on a migrated
    PostgreSQL database holding the seed stories, reached through a ``Proxy``."""
    psycopg = pytest.importorskip("psycopg")
    server_url = postgres_server_url()
    try:
        with psycopg.connect(
            with_database(server_url, "postgres"), autocommit=True, connect_timeout=3
        ) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {LIVE_DATABASE} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {LIVE_DATABASE}")
    except psycopg.Error as error:
        pytest.skip(f"PostgreSQL is not reachable: {error}")

    direct_url = with_database(server_url, LIVE_DATABASE)
    parts = urlsplit(direct_url)
    proxy = Proxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    folder = tmp_path_factory.mktemp("outages")
    (folder / "outage_settings.py").write_text(SETTINGS_MODULE)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_DEBUG", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="outage_settings",
        PYTHONPATH=os.pathsep.join([str(folder), str(ROOT)]),
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        NEWSROOM_DB_CONNECT_TIMEOUT=str(CONNECT_TIMEOUT),
        NEWSROOM_DB_STATEMENT_TIMEOUT=str(STATEMENT_TIMEOUT),
        DATABASE_URL=direct_url,
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=300)
    subprocess.run(
        [*manage, "import_articles", "--publish", str(SEEDS_DIR)],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=300,
        capture_output=True,
    )

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = folder / "gunicorn.log"  # a file: a pipe nobody reads would block the workers
    env["DATABASE_URL"] = with_database(server_url, LIVE_DATABASE, port=proxy.port)
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "newsroom.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--log-level=warning",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(port, "/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield {"port": port, "proxy": proxy, "direct_url": direct_url, "log": log}
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=20)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
        proxy.close()
        with psycopg.connect(
            with_database(server_url, "postgres"), autocommit=True, connect_timeout=3
        ) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {LIVE_DATABASE} WITH (FORCE)")


PAGE, API = "/", "/api/v1/articles/"


def assert_serving(port: int) -> None:
    # Several requests each, so that both workers are exercised.
    for _ in range(3):
        for path in (PAGE, API):
            status, _, body, _ = get(port, path)
            assert status == 200, (path, status, body[:300])


def assert_503(port: int, *, within: float) -> list[float]:
    seconds = []
    for _ in range(2):
        for path in (PAGE, API):
            status, headers, body, took = get(port, path)
            seconds.append(took)
            assert status == 503, (path, status, body[:300])
            assert int(headers["retry-after"]) > 0
            if path == API:
                assert headers["content-type"] == "application/json"
                assert json.loads(body)["detail"]
            else:
                assert headers["content-type"].startswith("text/html")
            assert took < within, (path, took)
    return seconds


@pytest.mark.parametrize("mode", ["refuse", "drop"])
def test_a_database_that_is_down_gives_503_at_once_and_recovers(live, mode):
    """Server down (connections refused, or reset as soon as accepted): 503 + Retry-After
    at once, then 200 again from the same gunicorn once it is back."""
    port, proxy = live["port"], live["proxy"]
    assert_serving(port)
    proxy.set_mode(mode)
    try:
        seconds = assert_503(port, within=MARGIN)
    finally:
        proxy.set_mode("pass")
    print(f"{mode}: 503 in {max(seconds):.2f} s at most")
    assert_serving(port)


def test_a_stalled_database_gives_503_within_the_connect_timeout_and_recovers(live):
    """Server accepts connections and never answers: 503 after the connect timeout (2 s
    here), not a worker hung for good; 200 again once it answers."""
    port, proxy = live["port"], live["proxy"]
    assert_serving(port)
    proxy.set_mode("stall")
    try:
        seconds = assert_503(port, within=CONNECT_TIMEOUT + MARGIN)
    finally:
        proxy.set_mode("pass")
    print(f"stalled: 503 in {max(seconds):.2f} s at most")
    assert min(seconds) >= CONNECT_TIMEOUT - 0.5  # the timeout, not some other failure
    assert_serving(port)


def test_a_frozen_server_under_open_connections_gives_503_and_recovers(live):
    """The server freezes under the workers' open, persistent connections: it acknowledges
    every packet and answers none, so no driver or server timeout fires. The watchdog shuts
    the stuck connection after NEWSROOM_DB_STALL_SECONDS (the statement timeout + 3 s),
    the request gets its 503, and pages are served again once the server is back."""
    port, proxy = live["port"], live["proxy"]
    assert_serving(port)  # every worker thread used here now holds an open connection
    proxy.set_mode("freeze")
    stall = STATEMENT_TIMEOUT + 3
    try:
        # The first requests wait the stall limit on their open connection; the next ones
        # find a frozen server when they connect again (the connect timeout).
        seconds = assert_503(port, within=stall + SAMPLE + CONNECT_TIMEOUT + MARGIN)
    finally:
        proxy.set_mode("pass")
    print(f"frozen: 503 in {max(seconds):.2f} s at most")
    assert_serving(port)


def test_a_statement_stuck_on_a_lock_gives_503_within_the_statement_timeout(live):
    """The server answers but a statement waits on a lock held elsewhere (e.g. a stuck
    migration): the statement timeout (2 s here) cancels it and the request gets a 503;
    once the lock is gone, pages are served again."""
    import psycopg

    port = live["port"]
    assert_serving(port)
    with psycopg.connect(live["direct_url"], connect_timeout=3) as holder:
        # Every page and API list reads the content version first (their cache key).
        holder.execute(
            "LOCK TABLE articles_contentversion, articles_article IN ACCESS EXCLUSIVE MODE"
        )
        seconds = assert_503(port, within=STATEMENT_TIMEOUT + MARGIN)
        holder.rollback()
    print(f"statement timeout: 503 in {max(seconds):.2f} s at most")
    assert_serving(port)
