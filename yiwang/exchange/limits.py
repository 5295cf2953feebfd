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
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from yiwang.workdays.calendar import CHINA_TZ

#: How long a per-second rate counter is kept.
_RATE_SECONDS = 5


def skew_seconds() -> int:
    return int(getattr(settings, "YIWANG_EXCHANGE_SKEW_SECONDS", 300))


def rate_per_second() -> int:
    return int(getattr(settings, "YIWANG_EXCHANGE_RATE", 50))


def max_page() -> int:
    return int(getattr(settings, "YIWANG_EXCHANGE_MAX_PAGE", 500))


def _nonce_key(credential_id: int, nonce: str) -> str:
    return f"exchange:nonce:{credential_id}:{nonce}"


def _rate_key(credential_id: int, now: dt.datetime) -> str:
    return f"exchange:rate:{credential_id}:{int(now.timestamp())}"


def _nonce_timeout() -> int:
    return 2 * skew_seconds() + 5


def first_use_of_nonce(credential_id: int, nonce: str) -> bool:
    """True the first time; False when ``nonce`` was seen within the window (a replay)."""
    return cache.add(_nonce_key(credential_id, nonce), 1, timeout=_nonce_timeout())


@dataclass(frozen=True)
class Admission:
    #: False when the nonce was seen within the window: the request is a replay.
    first_use: bool
    #: False when the credential is over its requests per second.
    within_rate: bool


def admit(credential_id: int, nonce: str, now: dt.datetime) -> Admission:
    """``first_use_of_nonce`` and ``within_rate`` of a signed request at once: one Redis
    round trip for both when the cache is Redis (every call of the API pays it)."""
    client = _redis_client()
    if client is None:
        return Admission(first_use_of_nonce(credential_id, nonce), within_rate(credential_id, now))
    nonce_name = cache.make_and_validate_key(_nonce_key(credential_id, nonce))
    rate_name = cache.make_and_validate_key(_rate_key(credential_id, now))
    with client.pipeline(transaction=False) as pipe:
        pipe.set(nonce_name, 1, nx=True, ex=_nonce_timeout())
        pipe.incrby(rate_name, 1).expire(rate_name, _RATE_SECONDS, nx=True)
        first, count, _ = pipe.execute()
    return Admission(bool(first), int(count) <= rate_per_second())


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
    return _incr(_rate_key(credential_id, now), 1, timeout=_RATE_SECONDS) <= rate_per_second()


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
