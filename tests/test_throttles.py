"""Throttles that hold (issue 12, defect 5): the client address comes from trusted proxies
only, counts are shared by every worker process, and public pages are rate-limited too."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.test import RequestFactory

from newsroom.clients import client_ip
from tests.factories import make_article, make_editor

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
API = "/api/v1/tags/"


def forged():
    """A random address, as an attacker would put in X-Forwarded-For on each request."""
    n = uuid.uuid4().int
    return f"10.{n % 256}.{n // 256 % 256}.{n // 65536 % 256}"


def request_from(remote="198.51.100.9", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


# --- The client address -----------------------------------------------------------------


def test_without_trusted_proxies_the_header_is_ignored(settings):
    """By default (no proxy) the socket address is the client, whatever the header says."""
    settings.NEWSROOM_TRUSTED_PROXIES = 0
    assert client_ip(request_from("198.51.100.9", "203.0.113.1")) == "198.51.100.9"


def test_a_request_without_an_address_has_none(settings):
    """A request built in code (no REMOTE_ADDR) has no address: None, which django-axes
    can store, rather than a made-up string PostgreSQL's inet column would refuse."""
    assert client_ip(request_from("")) is None


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client's own entry is not trusted
        (2, "6.6.6.6, 203.0.113.7, 192.0.2.1", "203.0.113.7"),
        (2, "203.0.113.7", "198.51.100.9"),  # fewer entries than proxies: the socket's
        (1, "not-an-address", "198.51.100.9"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        (1, "203.0.113.7:8080", "203.0.113.7"),
    ],
)
def test_trusted_proxies_take_the_nth_address_from_the_right(
    settings, proxies, forwarded, expected
):
    """With N trusted proxies the N-th X-Forwarded-For entry from the right is the client."""
    settings.NEWSROOM_TRUSTED_PROXIES = proxies
    assert client_ip(request_from("198.51.100.9", forwarded)) == expected


# --- The API throttle -------------------------------------------------------------------


def test_random_x_forwarded_for_does_not_bypass_the_api_throttle(client, settings):
    """A fresh forged X-Forwarded-For on every request still meets the limit (DRF used to
    count each forged address separately)."""
    settings.NEWSROOM_API_ANON_RATE = "5/min"
    codes = [client.get(API, HTTP_X_FORWARDED_FOR=forged()).status_code for _ in range(8)]
    assert codes == [200] * 5 + [429] * 3


def test_behind_a_proxy_each_real_client_has_its_own_allowance(client, settings):
    """Behind one trusted proxy, a client forging the start of the header is still
    recognised by the entry the proxy appended; another client is counted apart."""
    settings.NEWSROOM_TRUSTED_PROXIES = 1
    settings.NEWSROOM_API_ANON_RATE = "3/min"
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    codes = [
        client.get(API, HTTP_X_FORWARDED_FOR=f"{forged()}, 203.0.113.7", **proxy).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    other = client.get(API, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy)
    assert other.status_code == 200


CROSS_PROCESS = """
import json, sys, threading
import django
django.setup()
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from api.throttling import AnonymousRateThrottle

def attempt():
    request = RequestFactory().get("/api/v1/tags/", REMOTE_ADDR="203.0.113.50")
    request.user = AnonymousUser()
    return AnonymousRateThrottle().allow_request(request, None)

threads, attempts = int(sys.argv[1]), int(sys.argv[2])
allowed = []
def worker():
    allowed.extend(attempt() for _ in range(attempts))
sys.stdin.readline()  # start together
pool = [threading.Thread(target=worker) for _ in range(threads)]
for thread in pool:
    thread.start()
for thread in pool:
    thread.join()
print(json.dumps({"allowed": sum(allowed)}))
"""


def run_workers(tmp_path, *, processes: int, threads: int, attempts: int) -> list[int]:
    """Run ``processes`` separate Python processes configured like gunicorn workers without
    Redis, each making ``threads`` x ``attempts`` throttled requests at the same time;
    returns how many each was allowed."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_SECRET_KEY": "x" * 60,
        "NEWSROOM_API_ANON_RATE": "50/hour",
        "NEWSROOM_THROTTLE_CACHE_DIR": str(tmp_path / "throttle"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    env.pop("REDIS_URL", None)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", CROSS_PROCESS, str(threads), str(attempts)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    outputs = [worker.communicate("go\n", timeout=120)[0] for worker in workers]
    return [json.loads(output.strip().splitlines()[-1])["allowed"] for output in outputs]


def test_the_api_limit_holds_across_worker_processes(tmp_path):
    """Two separate processes (as two gunicorn workers) configured without Redis share one
    allowance: 50 in all, not 50 each."""
    assert sum(run_workers(tmp_path, processes=2, threads=1, attempts=40)) == 50


def test_the_api_limit_holds_under_simultaneous_requests(tmp_path):
    """Two processes of four threads each, all requesting at once: still exactly 50
    allowed (a read-modify-write count would lose the simultaneous requests)."""
    assert sum(run_workers(tmp_path, processes=2, threads=4, attempts=40)) == 50


# --- Public pages -----------------------------------------------------------------------


def test_public_pages_are_rate_limited_per_client_with_retry_after(client, settings):
    """Beyond NEWSROOM_SITE_ANON_RATE an anonymous client gets 429 with Retry-After, even
    with a forged X-Forwarded-For on every request; another address is unaffected."""
    settings.NEWSROOM_SITE_ANON_RATE = "4/min"
    make_article("A published story")
    codes = [client.get("/", HTTP_X_FORWARDED_FOR=forged()).status_code for _ in range(6)]
    assert codes == [200] * 4 + [429] * 2
    response = client.get("/people/")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "no-store" in response["Cache-Control"]
    assert client.get("/", REMOTE_ADDR="198.51.100.20").status_code == 200


def test_editors_static_files_and_the_api_are_not_counted_by_the_page_limit(client, settings):
    """Logged-in editors are never limited; static files and the API (which has its own
    throttle) do not use up a reader's page allowance."""
    settings.NEWSROOM_SITE_ANON_RATE = "2/min"
    settings.NEWSROOM_API_ANON_RATE = "100/min"
    for _ in range(5):
        assert client.get("/static/css/site.css").status_code == 200
        assert client.get(API).status_code == 200
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]
    client.force_login(make_editor())
    assert {client.get("/").status_code for _ in range(5)} == {200}


def test_site_rate_limit_can_be_switched_off(client, settings):
    """An empty or "off" rate means no page limit (e.g. for a load test from one host)."""
    settings.NEWSROOM_SITE_ANON_RATE = "off"
    assert {client.get("/robots.txt").status_code for _ in range(20)} == {200}


@pytest.fixture
def redis_throttle(settings):
    """Redis (db 4) as the default and throttle caches, flushed before and after."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/4"
    connection = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    settings.CACHES = {"default": backend, "throttle": backend}
    connection.flushdb()
    yield
    connection.flushdb()


def test_redis_counts_simultaneous_requests_exactly(settings, redis_throttle):
    """With Redis as the throttle cache, 8 threads x 25 simultaneous requests from one
    client are allowed exactly the rate."""
    from concurrent.futures import ThreadPoolExecutor

    from django.contrib.auth.models import AnonymousUser

    from api.throttling import AnonymousRateThrottle

    settings.NEWSROOM_API_ANON_RATE = "60/hour"

    def attempt(_):
        request = request_from("203.0.113.60")
        request.user = AnonymousUser()
        return AnonymousRateThrottle().allow_request(request, None)

    with ThreadPoolExecutor(max_workers=8) as pool:
        allowed = sum(pool.map(attempt, range(200)))
    assert allowed == 60


def test_redis_counts_each_request_in_one_round_trip(redis_throttle):
    """With Redis, counting a request is one MULTI (SET NX EX, INCR, PTTL): a cached page
    under load paid four round trips for it (issue 12, load). The window still ends when it
    opened plus the duration."""
    from unittest import mock

    from django.core.cache import caches
    from redis.connection import Connection

    from newsroom.ratelimit import count_hit

    cache = caches["throttle"]
    sent = []
    original = Connection.send_packed_command

    def counting(self, *args, **kwargs):
        sent.append(1)
        return original(self, *args, **kwargs)

    count_hit(cache, "warm-up", duration=60, now=1000.0)  # opens the connection
    with mock.patch.object(Connection, "send_packed_command", counting):
        first = count_hit(cache, "client-a", duration=60, now=1000.0)
        assert len(sent) == 1
        second = count_hit(cache, "client-a", duration=60, now=1000.5)
        assert len(sent) == 2
    assert first[0] == 1 and second[0] == 2
    assert 1059.0 <= first[1] <= 1060.0  # the window ends 60 s after it opened
    assert abs(second[1] - first[1]) < 1.0
