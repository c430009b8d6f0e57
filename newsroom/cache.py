"""The Redis cache backend, minus a per-call cost (issue 12, load).

Django's ``RedisCacheClient.get_client()`` builds a new ``redis.Redis`` for every cache call.
That was cheap with redis-py 4; redis-py 5 and later fill a case-insensitive table of about
170 response callbacks in each constructor, about 0.2 ms, and a cached page makes three
cache calls. One client per connection pool serves every call: ``redis.Redis`` is
thread-safe, its pool hands out connections, and the pool resets itself in a forked child.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache with one ``redis.Redis`` client per server, not per call."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
