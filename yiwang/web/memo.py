"""Reference data kept in each process and rebuilt when any process declares it stale.

Hot paths (every 12345 intake) read small, rarely changing tables: the category tree, the
county's towns and villages. Reading them from the database, or unpickling them from the shared
cache, costs more than the rest of the request's Python. A ``SharedMemo`` keeps the built value
in the process and checks a short version string in the shared cache at most once every
``recheck`` seconds; ``forget()`` (called from the models' change signals) drops the process's
copy and replaces the version, so every other process rebuilds within ``recheck`` seconds. The
version lives ``ttl`` seconds, which bounds staleness when the cache is not shared (the
local-memory cache of a development server).

Values are shared between the threads of a process: callers must not modify them.
"""

from __future__ import annotations

import threading
import time
import uuid
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")


class SharedMemo(Generic[T]):
    instances: weakref.WeakSet[SharedMemo] = weakref.WeakSet()

    def __init__(self, key: str, build: Callable[[], T], ttl: int = 300, recheck: float = 1.0):
        self.key, self.build, self.ttl, self.recheck = key, build, ttl, recheck
        self._memo: tuple[str, T] | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        SharedMemo.instances.add(self)

    @classmethod
    def drop_all_copies(cls) -> None:
        """Forget every process copy (the test suite does, with the cache, between tests)."""
        for memo in list(cls.instances):
            memo._memo = None

    def get(self) -> T:
        memo = self._memo
        if memo is not None and time.monotonic() - self._checked_at < self.recheck:
            return memo[1]
        version = cache.get(self.key)
        if version is None:
            version = uuid.uuid4().hex
            # add(): when two processes race, both end up with the one that got in first.
            if not cache.add(self.key, version, self.ttl):
                version = cache.get(self.key) or version
        self._checked_at = time.monotonic()
        memo = self._memo
        if memo is not None and memo[0] == version:
            return memo[1]
        with self._lock:
            memo = self._memo
            if memo is None or memo[0] != version:
                memo = self._memo = (version, self.build())
        return memo[1]

    def forget(self) -> None:
        """Stale everywhere now, and again at commit: a process that rebuilt in between
        read the rows before the change."""
        cache.delete(self.key)
        self._memo = None
        transaction.on_commit(lambda: cache.delete(self.key))
