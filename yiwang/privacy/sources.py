"""Who saw a person's data, from every channel: the person's one list ("谁查看了我的数据").

The kernel knows one channel, staff reveals (``Disclosure``). Feature apps that hand a
person's data to others by another channel — the data exchange API, where a department's
system reads a registry row — register a :class:`SeenSource` in their ``AppConfig.ready``,
so the kernel lists them without importing them.

:func:`seen_log` merges every source newest first into one sequence that a ``Paginator``
pages: one count and one bounded query per source and page, never a query per row.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from . import queries


@dataclass(frozen=True)
class Seen:
    """One line of the person's list, whatever the channel."""

    at: datetime
    department: str
    #: Who saw it: a staff member's name, or a department's system.
    actor_name: str
    #: What was seen (field names).
    field_name: str
    purpose: str
    reason: str
    #: What for: a case or ticket number, a resource name.
    object_label: str
    #: ``reveal`` (a staff member) or the source's key (e.g. ``exchange``).
    channel: str = "reveal"


class SeenSource(Protocol):
    key: str

    def count(self, user) -> int: ...

    def newest(self, user, limit: int) -> list[Seen]:
        """At most ``limit`` lines about ``user``, newest first."""
        ...


_SOURCES: dict[str, SeenSource] = {}


def register(source: SeenSource) -> None:
    """Add a channel (idempotent by ``source.key``; call it from ``AppConfig.ready``)."""
    _SOURCES[source.key] = source


def registered() -> list[SeenSource]:
    return list(_SOURCES.values())


class RevealSource:
    """Staff reveals of the person's full identifiers (``queries.about_person``)."""

    key = "reveal"

    def count(self, user) -> int:
        return queries.about_person(user).count()

    def newest(self, user, limit: int) -> list[Seen]:
        return [
            Seen(
                at=d.created_at,
                department=d.department.name if d.department else "",
                actor_name=d.actor_name,
                field_name=d.field_name,
                purpose=str(d.get_purpose_display()),
                reason=d.reason,
                object_label=d.object_label,
            )
            for d in queries.about_person(user)[:limit]
        ]


class SeenLog:
    """Every source's lines about one person, newest first, sliceable for a ``Paginator``."""

    def __init__(self, user, sources: list[SeenSource]):
        self.user, self.sources = user, sources
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = sum(s.count(self.user) for s in self.sources)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        if stop is None:
            stop = self.count()
        if stop <= start:
            return []
        # The first ``stop`` lines of the merge are among the first ``stop`` of each source.
        lists = [s.newest(self.user, stop) for s in self.sources]
        merged = heapq.merge(*lists, key=lambda seen: seen.at, reverse=True)
        return [seen for _n, seen in zip(range(stop), merged, strict=False)][start:stop]

    def __iter__(self) -> Iterator[Seen]:
        return iter(self[0 : self.count()])


def seen_log(user) -> SeenLog:
    return SeenLog(user, [RevealSource(), *registered()])
