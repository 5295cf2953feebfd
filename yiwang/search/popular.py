"""What people search for and open, counted per day and nothing else.

- :func:`record_query`: every search, per normalised query and day, with how many of those
  searches found nothing (``QueryCount.count`` / ``empty``);
- :func:`record_click`: a result opened from a search (``QueryCount.clicks`` and
  ``ResultClick``: which result for which query);
- :func:`record_view`: a document (a service guide) opened, however it was reached
  (``DocumentUse``).

No personal data anywhere: no user, no address, no time of day, and only query text that
cannot identify anybody: long queries and any with a run of digits (phone, ID or account
numbers) or an e-mail address are never recorded. Queries that found nothing are counted
for the catalogue administrators' search report only; the public sees a query
(:func:`popular_queries`) once it *found something* at least :data:`MIN_SEARCHES` times over
the period.

The counters are derived, anonymous data like the search index itself: no audit entry.
Each recording is one UPDATE in the common case (an INSERT on a query's first use of the
day; a concurrent INSERT is caught and turned into the UPDATE).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, models, transaction
from django.db.models import F, Sum
from django.utils import timezone

from .models import DocumentUse, QueryCount, ResultClick
from .text import normalize

MAX_QUERY_CHARS = 30
MAX_KEY_CHARS = 128
MIN_SEARCHES = 3
POPULAR_DAYS = 30
_SPACES = re.compile(r"\s+")
_IDENTIFYING = re.compile(r"\d{4,}|@")


def recordable(query: str) -> str:
    """The form a query is counted under ("" when it must not be recorded)."""
    text = _SPACES.sub(" ", normalize(query or "")).strip()
    if not text or len(text) > MAX_QUERY_CHARS or _IDENTIFYING.search(text):
        return ""
    return text


def _bump(model: type[models.Model], lookup: dict, **increments: int) -> None:
    """Add ``increments`` to the counters of the row ``lookup``, creating it if missing."""
    rows = model._default_manager.filter(**lookup)
    changes = {name: F(name) + n for name, n in increments.items()}
    if rows.update(**changes):
        return
    try:
        with transaction.atomic():
            model._default_manager.create(**lookup, **increments)
    except IntegrityError:  # another request created the row first
        rows.update(**changes)


def record_query(query: str, *, kind: str = "item", found: bool, day: date | None = None) -> bool:
    """Count one search (and, when it found nothing, one empty search); returns whether it
    was counted."""
    text = recordable(query)
    if not text:
        return False
    day = day or timezone.localdate()
    _bump(QueryCount, {"kind": kind, "day": day, "query": text}, count=1, empty=0 if found else 1)
    return True


def record_click(query: str, *, kind: str, key: str | int, day: date | None = None) -> bool:
    """Count a result ``key`` opened after searching ``query``; returns whether it was counted.

    Only a query searched that day counts: a link made up by hand (or a bot) leaves no row
    behind for a query nobody searched.
    """
    text, key = recordable(query), str(key).strip()
    if not text or not key or len(key) > MAX_KEY_CHARS:
        return False
    day = day or timezone.localdate()
    with transaction.atomic():
        searched = QueryCount.objects.filter(kind=kind, day=day, query=text)
        if not searched.update(clicks=F("clicks") + 1):
            return False
        _bump(ResultClick, {"kind": kind, "day": day, "query": text, "key": key}, count=1)
    return True


def record_view(kind: str, key: str | int, day: date | None = None) -> bool:
    """Count one opening of the document ``(kind, key)``."""
    key = str(key).strip()
    if not key or len(key) > MAX_KEY_CHARS:
        return False
    _bump(DocumentUse, {"kind": kind, "key": key, "day": day or timezone.localdate()}, views=1)
    return True


# --- reading -----------------------------------------------------------------------------


def _since(days: int, today: date | None) -> date:
    return (today or timezone.localdate()) - timedelta(days=days)


def popular_queries(
    *,
    kind: str = "item",
    limit: int = 4,
    days: int = POPULAR_DAYS,
    minimum: int = MIN_SEARCHES,
    today: date | None = None,
) -> list[str]:
    """The queries that found something most often over the last ``days``, most first
    (searches that found nothing do not count: a misspelt name is never shown)."""
    rows = (
        QueryCount.objects.filter(kind=kind, day__gt=_since(days, today))
        .values("query")
        .annotate(n=Sum("count") - Sum("empty"))
        .filter(n__gte=minimum)
        .order_by("-n", "query")
        .values_list("query", flat=True)
    )
    return list(rows[:limit])


def popular_documents(
    kind: str, *, days: int = POPULAR_DAYS, limit: int = 8, today: date | None = None
) -> list[str]:
    """Keys of the documents used most over the last ``days``: guide views plus results
    opened from a search (a result chosen from a search is also a view, so it weighs twice:
    someone looked for it and picked it). Two grouped queries."""
    since = _since(days, today)
    totals: dict[str, int] = {}
    views = (
        DocumentUse.objects.filter(kind=kind, day__gt=since)
        .values("key")
        .annotate(n=Sum("views"))
        .values_list("key", "n")
    )
    clicks = (
        ResultClick.objects.filter(kind=kind, day__gt=since)
        .values("key")
        .annotate(n=Sum("count"))
        .values_list("key", "n")
    )
    for key, n in [*views, *clicks]:
        totals[key] = totals.get(key, 0) + (n or 0)
    ranked = sorted(totals.items(), key=lambda pair: (-pair[1], pair[0]))
    return [key for key, n in ranked[:limit] if n > 0]


@dataclass(frozen=True)
class QueryStats:
    """One query over a period, for the search report."""

    query: str
    searches: int
    empty: int
    clicks: int

    @property
    def found(self) -> int:
        """Searches that found something."""
        return self.searches - self.empty

    @property
    def click_rate(self) -> float | None:
        """Results opened per search that found something (above 1 when people open
        several results of one search); None when no search found anything."""
        return self.clicks / self.found if self.found else None


def query_stats(
    *,
    kind: str = "item",
    days: int = POPULAR_DAYS,
    limit: int = 50,
    today: date | None = None,
    order: str = "searches",
) -> list[QueryStats]:
    """Queries of the last ``days`` with their counts, one grouped query.

    ``order``: ``"searches"`` (most searched first), ``"unclicked"`` (queries that found
    something and whose results nobody opened, most searched first) or ``"empty"``
    (queries that found nothing, most often first).
    """
    rows = (
        QueryCount.objects.filter(kind=kind, day__gt=_since(days, today))
        .values("query")
        .annotate(searches=Sum("count"), empty_n=Sum("empty"), clicks_n=Sum("clicks"))
    )
    if order == "unclicked":
        rows = rows.filter(clicks_n=0, searches__gt=F("empty_n")).order_by("-searches", "query")
    elif order == "empty":
        rows = rows.filter(empty_n__gt=0).order_by("-empty_n", "-searches", "query")
    elif order == "searches":
        rows = rows.order_by("-searches", "query")
    else:
        raise ValueError(f"unknown order {order!r}")
    return [
        QueryStats(r["query"], r["searches"] or 0, r["empty_n"] or 0, r["clicks_n"] or 0)
        for r in rows[:limit]
    ]
