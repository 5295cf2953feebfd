"""The rows of an open dataset as the public may see them: which items, masked how.

Only an unconditionally open dataset (``Dataset.has_data``) shows rows. Of its items, one is
shown only when its grade may be opened *now* (``GradePolicy.may_open``, read at every
request: the authority can close a grade after publication, and the rows close with it) and
its mask is not ``hidden``; the others are never read. Values of a shown item with a mask
(a name, an address …) are masked as everywhere else (``datahub.masking``).

Rows come from the hub through ``yiwang.datahub.hub.read``: the preview is one keyset page,
the downloads iterate in batches of :data:`BATCH` rows (a few statements per batch, never
one per row, and never the whole table in memory).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.datahub.choices import DataType, Mask
from yiwang.datahub.hub import read as hub
from yiwang.datahub.masking import mask_value
from yiwang.datahub.models import GradePolicy, HubTable, Resource

from .catalogue import Dataset

PREVIEW_ROWS = 20
#: Rows read per statement when a whole table is streamed.
BATCH = 2000


@dataclass(frozen=True)
class Column:
    column: str
    name: str
    data_type: str
    mask: str

    @property
    def masked(self) -> bool:
        return self.mask != Mask.NONE

    @property
    def numeric(self) -> bool:
        return self.data_type in (DataType.INTEGER, DataType.DECIMAL)


@dataclass(frozen=True)
class Table:
    """What the public gets of a dataset's rows."""

    resource: Resource
    columns: list[Column]
    #: Items of the dataset that are not shown (their grade may not be opened).
    withheld: int
    row_count: int

    @property
    def names(self) -> list[str]:
        return [c.column for c in self.columns]


def openable_grades() -> set[str]:
    """The grades whose items may be opened today (one query)."""
    return set(GradePolicy.objects.filter(may_open=True).values_list("grade", flat=True))


def table(resource: Resource, ds: Dataset) -> Table | None:
    """The public face of ``ds``'s rows (None when it has none: not unconditionally open).

    Columns: the items shown in the catalogue whose grade may be opened, in item order, and
    that the hub table holds (an item added by a revision is shown once rows carry it).
    """
    if not ds.has_data:
        return None
    held: HubTable | None = hub.table_of(resource)
    held_columns = {c["column"] for c in held.columns} if held else None
    grades = openable_grades()
    columns = [
        Column(column=i.column, name=i.name, data_type=i.data_type, mask=i.mask)
        for i in ds.items
        if i.grade in grades
        and i.mask != Mask.HIDDEN
        and (held_columns is None or i.column in held_columns)
    ]
    return Table(
        resource=resource,
        columns=columns,
        withheld=len(ds.items) - len(columns),
        row_count=held.row_count if held and columns else 0,
    )


def _masked(row: dict[str, Any], columns: list[Column]) -> list[Any]:
    return [mask_value(row[c.column], c.mask) if c.masked else row[c.column] for c in columns]


def preview(data: Table, limit: int = PREVIEW_ROWS) -> list[list[Any]]:
    """The first ``limit`` rows, masked, as lists of values in column order."""
    if not data.columns or not data.row_count:
        return []
    rows, _next = hub.page(data.resource, columns=data.names, limit=limit)
    return [_masked(row, data.columns) for row in rows]


def rows(data: Table, columns: list[Column] | None = None) -> Iterator[list[Any]]:
    """Every row, masked, in key order, read :data:`BATCH` rows at a time."""
    columns = data.columns if columns is None else columns
    if not columns or not data.row_count:
        return
    for row in hub.iterate(data.resource, [c.column for c in columns], batch=BATCH):
        yield _masked(row, columns)


def text(value: Any, *, machine: bool = False) -> str:
    """A value as a cell of the page, or of a file (``machine``: yes/no as true/false)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        if machine:
            return "true" if value else "false"
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
