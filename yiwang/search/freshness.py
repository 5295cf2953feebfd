"""Values built from a table, kept in each process and rebuilt when the table changes.

Search keeps its index and lexicon in memory (``yiwang.search.engine``); every process must
see a change made by another within a second, with or without a shared cache. The table's
*stamp* (row count and latest ``updated_at``) tells: an insert or update moves the latest
time, a delete lowers the count. It is read at most once every ``recheck`` seconds, with one
indexed aggregate; the writing process forgets its copy at once (and again at commit).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import transaction
from django.db.models import Count, Max, QuerySet

T = TypeVar("T")


class StampedMemo(Generic[T]):
    instances: weakref.WeakSet[StampedMemo] = weakref.WeakSet()

    def __init__(self, rows: QuerySet, build: Callable[[], T], recheck: float = 1.0):
        self.rows, self.build, self.recheck = rows, build, recheck
        self._memo: tuple[Any, T] | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        StampedMemo.instances.add(self)

    @classmethod
    def drop_all_copies(cls) -> None:
        """Forget every copy (the test suite does between tests, as rows roll back)."""
        for memo in list(cls.instances):
            memo._memo = None

    def stamp(self) -> tuple[int, Any]:
        found = self.rows.order_by().aggregate(n=Count("pk"), latest=Max("updated_at"))
        return found["n"], found["latest"]

    def get(self) -> T:
        memo = self._memo
        if memo is not None and time.monotonic() - self._checked_at < self.recheck:
            return memo[1]
        stamp = self.stamp()
        self._checked_at = time.monotonic()
        if memo is not None and memo[0] == stamp:
            return memo[1]
        with self._lock:
            memo = self._memo
            if memo is None or memo[0] != stamp:
                memo = self._memo = (stamp, self.build())
        return memo[1]

    def forget(self) -> None:
        """Rebuild on the next ``get`` here; at commit too, since a request in between may
        have rebuilt from the rows before the change."""
        self._memo = None

        def drop() -> None:
            self._memo = None

        transaction.on_commit(drop)
