"""Replay, rate and quota counters of the exchange API, in Django's cache.

Every counter is one atomic cache operation (``add``, ``incr``), so they hold across web
processes when the cache is Redis (``REDIS_URL``); with the in-process cache of a
development server they hold within that process.

- **Nonces** are remembered per credential for twice the allowed clock skew: a request can
  only be replayed while its timestamp is still accepted, and by then its nonce is known.
- **Rate**: requests per credential per wall-clock second (``YIWANG_EXCHANGE_RATE``).
- **Quota**: rows per grant per Beijing-time day (``Grant.daily_quota``). A counter that is
  missing (a new day, a flushed cache) starts from the rows the evidence log records for
  that day, so restarting the cache does not hand out a fresh quota.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from yiwang.workdays.calendar import CHINA_TZ


def skew_seconds() -> int:
    return int(getattr(settings, "YIWANG_EXCHANGE_SKEW_SECONDS", 300))


def rate_per_second() -> int:
    return int(getattr(settings, "YIWANG_EXCHANGE_RATE", 50))


def max_page() -> int:
    return int(getattr(settings, "YIWANG_EXCHANGE_MAX_PAGE", 500))


def first_use_of_nonce(credential_id: int, nonce: str) -> bool:
    """True the first time; False when ``nonce`` was seen within the window (a replay)."""
    return cache.add(f"exchange:nonce:{credential_id}:{nonce}", 1, timeout=2 * skew_seconds() + 5)


def _redis_client():
    """The cache's own Redis client when the cache is Redis, else None.

    Django's ``cache.incr`` asks whether the key exists, then increments: two round trips,
    on every call. With the client itself a counter is one ``INCRBY`` with its expiry in the
    same round trip; the keys are the cache's, so ``cache.get`` and ``cache.clear`` see them.
    """
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    return backend._cache.get_client(write=True)


def _incr(key: str, by: int, timeout: int, initial: Callable[[], int] | None = None) -> int:
    """Add ``by`` to the counter, starting it at ``initial()`` (else 0) when it is missing;
    ``initial`` is only called then (it may query the database)."""
    client = _redis_client()
    if client is not None:
        name = cache.make_and_validate_key(key)
        with client.pipeline(transaction=False) as pipe:
            total, _ = pipe.incrby(name, by).expire(name, timeout, nx=True).execute()
        if total == by and initial is not None:  # this call made the key: count what was
            total = int(client.incrby(name, initial()))
        return int(total)
    try:
        return cache.incr(key, by)
    except ValueError:  # missing (new, expired or flushed): start it, first writer wins
        cache.add(key, initial() if initial else 0, timeout=timeout)
        return cache.incr(key, by)


def within_rate(credential_id: int, now: dt.datetime) -> bool:
    """Count this request; False when the credential is over its requests per second."""
    second = int(now.timestamp())
    return _incr(f"exchange:rate:{credential_id}:{second}", 1, timeout=5) <= rate_per_second()


def seconds_to_midnight(now: dt.datetime) -> int:
    """Until the next Beijing-time midnight, when the daily quota starts again."""
    local = now.astimezone(CHINA_TZ)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), CHINA_TZ)
    return max(1, int((midnight - local).total_seconds()) + 1)


def _quota_key(grant_id: int, day: dt.date) -> str:
    return f"exchange:quota:{grant_id}:{day.isoformat()}"


def quota_used(grant_id: int, day: dt.date, initial: Callable[[], int]) -> int:
    """Rows already delivered under the grant today."""
    key = _quota_key(grant_id, day)
    value = cache.get(key)
    if value is None:
        cache.add(key, initial(), timeout=26 * 3600)
        value = cache.get(key, 0)
    return int(value)


def take_quota(
    grant_id: int, day: dt.date, rows: int, quota: int, initial: Callable[[], int]
) -> bool:
    """Count ``rows`` against the grant's quota for ``day``; False (and nothing counted) when
    they would take it over ``quota``."""
    if rows <= 0:
        return True
    key = _quota_key(grant_id, day)
    total = _incr(key, rows, timeout=26 * 3600, initial=initial)
    if total > quota:
        cache.decr(key, rows)
        return False
    return True
