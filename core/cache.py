"""A Redis cache that degrades instead of failing while Redis is unreachable.

The cache holds nothing that cannot be lost: sessions are written through to the database
(`cached_db`), rate-limit counters and view de-duplication restart from zero. So while Redis
is down (a restart, a failover, a network split), every cache call answers as a cold cache
would, logs a warning at most once per `WARN_EVERY` seconds, and pages keep being served:
reads miss, writes are dropped, `add` and `incr` answer "first one" (rate limits and view
counting fail open for the outage). `/healthz` still reports the cache as down.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)
WARN_EVERY = 10.0


class DegradingRedisCache(RedisCache):
    _last_warning = 0.0

    def _degraded(self, operation: str, error: Exception, fallback):
        now = time.monotonic()
        if now - DegradingRedisCache._last_warning >= WARN_EVERY:
            DegradingRedisCache._last_warning = now
            logger.warning("cache unreachable (%s: %s); serving without it", operation, error)
        return fallback

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNREACHABLE as error:
            return self._degraded("get", error, default)

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as error:
            return self._degraded("get_many", error, {})

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNREACHABLE as error:
            return self._degraded("has_key", error, False)

    def set(self, key, value, timeout=None, version=None):
        try:
            return super().set(key, value, timeout, version)
        except UNREACHABLE as error:
            return self._degraded("set", error, None)

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as error:
            return self._degraded("set_many", error, list(data))

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as error:
            return self._degraded("add", error, True)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as error:
            return self._degraded("incr", error, delta)

    def decr(self, key, delta=1, version=None):
        try:
            return super().decr(key, delta, version)
        except UNREACHABLE as error:
            return self._degraded("decr", error, -delta)

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNREACHABLE as error:
            return self._degraded("touch", error, False)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNREACHABLE as error:
            return self._degraded("delete", error, False)

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except UNREACHABLE as error:
            return self._degraded("delete_many", error, None)

    def clear(self):
        try:
            return super().clear()
        except UNREACHABLE as error:
            return self._degraded("clear", error, False)
