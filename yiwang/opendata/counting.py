"""Counting downloads of the open datasets, and reading the counts back.

A counter, not a record: per dataset, format and day, nothing about who downloaded (see
``models.Download``). Like the search counters (``yiwang.search.popular``) it is derived,
anonymous data and leaves no audit entry: auditing every anonymous download would put the
audit chain's single locked head on the path of every file served. Each download is one
``UPDATE … count = count + 1``; the first of a day inserts the row (a concurrent insert is
caught and turned into the update).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from .models import Download, DownloadFormat

#: CKAN's ``tracking_summary.recent``: the last 14 days.
RECENT_DAYS = 14


def count_download(resource_id: int, fmt: str, day: dt.date | None = None) -> None:
    """Add one download of ``fmt`` (a ``DownloadFormat``) of the resource's dataset."""
    if fmt not in DownloadFormat.values:
        raise ValueError(f"unknown download format {fmt!r}")
    lookup = {"resource_id": resource_id, "format": fmt, "day": day or timezone.localdate()}
    rows = Download.objects.filter(**lookup)
    if rows.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            Download.objects.create(**lookup, count=1)
    except IntegrityError:  # another request created the day's row first
        rows.update(count=F("count") + 1)


def totals(resource_ids: Iterable[int]) -> dict[int, int]:
    """All-time downloads per resource id, every format together (one query)."""
    rows = (
        Download.objects.filter(resource_id__in=list(resource_ids))
        .values("resource_id")
        .annotate(total=Sum("count"))
        .order_by()
    )
    return {r["resource_id"]: r["total"] for r in rows}


def tracking(
    resource_ids: Iterable[int], today: dt.date | None = None
) -> dict[int, dict[str, dict[str, int]]]:
    """Per resource id and format: ``{"total", "recent"}`` (``recent``: the last
    :data:`RECENT_DAYS` days, today included) — one query for any number of datasets."""
    since = (today or timezone.localdate()) - dt.timedelta(days=RECENT_DAYS - 1)
    rows = (
        Download.objects.filter(resource_id__in=list(resource_ids))
        .values("resource_id", "format")
        .annotate(total=Sum("count"), recent=Sum("count", filter=Q(day__gte=since)))
        .order_by()
    )
    found: dict[int, dict[str, dict[str, int]]] = {}
    for r in rows:
        found.setdefault(r["resource_id"], {})[r["format"]] = {
            "total": r["total"] or 0,
            "recent": r["recent"] or 0,
        }
    return found


def summary(by_format: dict[str, dict[str, int]] | None) -> dict[str, int]:
    """``{"total", "recent"}`` over every format of one dataset's ``tracking`` entry."""
    formats = (by_format or {}).values()
    return {
        "total": sum(f["total"] for f in formats),
        "recent": sum(f["recent"] for f in formats),
    }
