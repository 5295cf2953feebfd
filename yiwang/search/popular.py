"""What people search for: counts per normalised query and day, for the 热门搜索 hints.

Only the query text is kept, and only when it cannot identify anybody: queries that found
nothing (a person's name, a typo), long ones, and any with a run of digits (phone, ID or
account numbers) or an e-mail address are not recorded. A query is shown to the public only
once it was searched at least :data:`MIN_SEARCHES` times over the period.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from .models import QueryCount
from .text import normalize

MAX_QUERY_CHARS = 30
MIN_SEARCHES = 3
POPULAR_DAYS = 30
_SPACES = re.compile(r"\s+")
_IDENTIFYING = re.compile(r"\d{4,}|@")


def recordable(query: str) -> str:
    """The form a query is counted under ("" when it must not be recorded)."""
    text = _SPACES.sub(" ", normalize(query)).strip()
    if not text or len(text) > MAX_QUERY_CHARS or _IDENTIFYING.search(text):
        return ""
    return text


def record_query(query: str, *, kind: str = "item", found: bool, day: date | None = None) -> bool:
    """Count one search (only one that found something); returns whether it was counted.

    Derived, anonymous data like the search index itself: no audit entry."""
    text = recordable(query)
    if not text or not found:
        return False
    day = day or timezone.localdate()
    rows = QueryCount.objects.filter(kind=kind, day=day, query=text)
    with transaction.atomic():
        if rows.update(count=F("count") + 1):
            return True
        try:
            with transaction.atomic():
                QueryCount.objects.create(kind=kind, day=day, query=text, count=1)
        except IntegrityError:  # another request created the row first
            rows.update(count=F("count") + 1)
    return True


def popular_queries(
    *,
    kind: str = "item",
    limit: int = 4,
    days: int = POPULAR_DAYS,
    minimum: int = MIN_SEARCHES,
    today: date | None = None,
) -> list[str]:
    """The most searched queries of the last ``days``, most searched first."""
    since = (today or timezone.localdate()) - timedelta(days=days)
    rows = (
        QueryCount.objects.filter(kind=kind, day__gt=since)
        .values("query")
        .annotate(n=Sum("count"))
        .filter(n__gte=minimum)
        .order_by("-n", "query")
        .values_list("query", flat=True)
    )
    return list(rows[:limit])
