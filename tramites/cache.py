"""A Redis cache that degrades to "no cache" while Redis is unreachable.

Rate-limit counters, the cached transparency page and the inbox counts live in the cache. When Redis
goes down, a plain RedisCache raises on every call and citizens would get a 500 instead of a page;
here a read misses, a write is dropped and a warning is logged, so the service keeps answering.
(django-ratelimit then lets requests through: RATELIMIT_FAIL_OPEN, a deliberate choice of
availability over throttling during an outage.)
"""
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_FALLOS = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)
_AVISO_CADA = 30.0


class TolerantRedisCache(RedisCache):
    _ultimo_aviso = 0.0

    def _fallo(self, operacion: str, exc: Exception, defecto=None):
        ahora = time.monotonic()
        if ahora - TolerantRedisCache._ultimo_aviso > _AVISO_CADA:
            TolerantRedisCache._ultimo_aviso = ahora
            logger.warning("caché Redis no disponible (%s): %s; se sigue sin caché", operacion, exc)
        return defecto

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except _FALLOS as exc:
            return self._fallo("get", exc, default)

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except _FALLOS as exc:
            return self._fallo("get_many", exc, {})

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except _FALLOS as exc:
            return self._fallo("has_key", exc, False)

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except _FALLOS as exc:
            return self._fallo("add", exc, False)

    def set(self, key, value, timeout=None, version=None):
        try:
            return super().set(key, value, timeout, version)
        except _FALLOS as exc:
            return self._fallo("set", exc)

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except _FALLOS as exc:
            return self._fallo("set_many", exc, [])

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except _FALLOS as exc:
            return self._fallo("touch", exc, False)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except _FALLOS as exc:
            return self._fallo("incr", exc)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except _FALLOS as exc:
            return self._fallo("delete", exc, False)

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except _FALLOS as exc:
            return self._fallo("delete_many", exc)

    def clear(self):
        try:
            return super().clear()
        except _FALLOS as exc:
            return self._fallo("clear", exc, False)
