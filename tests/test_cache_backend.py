"""The Redis cache backend (``newsroom/cache.py``) builds one redis client per server, not
one per cache call (issue 12, load), and stays correct across threads. Redis database 6."""

from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.core.cache import caches
from django.test import override_settings

URL = "redis://127.0.0.1:6379/6"
CACHES = {
    "default": {
        "BACKEND": "newsroom.cache.RedisCache",
        "LOCATION": URL,
        "KEY_PREFIX": "newsroom-cache-tests",
    }
}


@pytest.fixture
def redis_cache():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    with override_settings(CACHES=CACHES):
        cache = caches["default"]
        cache.clear()
        yield cache
        cache.clear()


def test_production_settings_use_this_backend(settings):
    import subprocess
    import sys
    from pathlib import Path

    code = "import newsroom.settings as s; print(s.CACHES['default']['BACKEND'])"
    env = {
        "REDIS_URL": URL,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "PATH": "/usr/bin:/bin",
    }
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True
    )
    assert result.stdout.strip() == "newsroom.cache.RedisCache", result.stderr


def test_cache_calls_share_one_client(redis_cache):
    import redis

    built = []
    original = redis.Redis.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    with mock.patch.object(redis.Redis, "__init__", counting):
        redis_cache.set("a", 1)
        for _ in range(10):
            assert redis_cache.get("a") == 1
        assert redis_cache.add("b", 2)
        assert redis_cache.incr("b") == 3
        redis_cache.delete("a")
    assert built == []  # the client made for clear() serves them all (Django: 14 made)


def test_one_client_counts_exactly_across_threads(redis_cache):
    redis_cache.set("counter", 0)

    def bump(_):
        for _ in range(50):
            redis_cache.incr("counter")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(bump, range(8)))
    assert redis_cache.get("counter") == 400
    assert redis_cache.get_many(["counter", "missing"]) == {"counter": 400}
