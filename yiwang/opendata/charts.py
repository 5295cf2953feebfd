"""A chart of an open dataset, when its data has a shape a chart can show.

- **Over time**: a time column — a date, or text holding periods (``2026-05``, ``2026``,
  ``2026-05-31``, like 统计月份) in every row — with the numbers summed per period (whole
  numbers; decimals such as rates are averaged when there is no whole number), or the rows
  counted when there is no number: a line chart of at most :data:`MAX_POINTS` points (days
  are merged into months, months into years when there are more).
- **By category**: otherwise, a text column with 2 to :data:`MAX_CATEGORIES` different
  values, some repeated (the one with most values), with the numbers summed per value, or
  the rows counted: a bar chart.

Coordinates (经度/纬度, longitude/latitude) are not measures. Masked items are neither
measures nor categories. One pass over the rows (read in batches through the hub), only for
tables of at most :data:`MAX_ROWS` rows: a larger table gets no chart on its page (its
files have everything).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yiwang.datahub.choices import DataType

from . import data
from .data import Column, Table

MAX_ROWS = 10_000
MAX_CATEGORIES = 30
#: Points of a line at most: more dates are merged into months, more months into years.
MAX_POINTS = 36
MAX_SERIES = 3
_PERIOD = re.compile(r"^\d{4}(?:-\d{2}){0,2}$")
_COORDINATE_COLUMNS = {"longitude", "latitude", "lng", "lat", "lon"}
_COORDINATE_NAMES = ("经度", "纬度")


@dataclass
class Series:
    name: str
    data: list[float | int] = field(default_factory=list)


@dataclass
class Chart:
    kind: str  # "line" or "bar"
    title: str
    x_name: str
    x: list[str]
    series: list[Series]

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "x_name": self.x_name,
            "x": self.x,
            "series": [{"name": s.name, "data": s.data} for s in self.series],
        }

    @property
    def table(self) -> list[tuple[str, list[float | int]]]:
        """The same numbers as rows (x, one value per series), for the table beside it."""
        return [(x, [s.data[i] for s in self.series]) for i, x in enumerate(self.x)]


def _coordinate(column: Column) -> bool:
    return column.column in _COORDINATE_COLUMNS or any(n in column.name for n in _COORDINATE_NAMES)


def _period(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and _PERIOD.match(value.strip()):
        return value.strip()
    return None


def _time_candidates(columns: list[Column], preview: list[list[Any]]) -> list[int]:
    """Positions of the columns that may be times, judged on the preview's rows."""
    found = []
    for i, column in enumerate(columns):
        if column.masked:
            continue
        if column.data_type in (DataType.DATE, DataType.DATETIME):
            found.append(i)
        elif column.data_type == DataType.STRING:
            values = [row[i] for row in preview if row[i] not in (None, "")]
            if values and all(_period(v) for v in values):
                found.append(i)
    return found


@dataclass
class _Groups:
    """Sums and counts of the measures per value of one column."""

    position: int
    sums: dict[str, list[Decimal]] = field(default_factory=dict)
    #: Rows per value, then per value and measure the rows that had a number.
    counts: dict[str, int] = field(default_factory=dict)
    filled: dict[str, list[int]] = field(default_factory=dict)
    failed: bool = False


def _measures(columns: list[Column]) -> tuple[list[int], str]:
    """The measure columns and how they combine: whole numbers summed, else decimals
    averaged, else rows counted."""
    numbers = [
        i for i, c in enumerate(columns) if c.numeric and not c.masked and not _coordinate(c)
    ]
    whole = [i for i in numbers if columns[i].data_type == DataType.INTEGER]
    if whole:
        return whole[:MAX_SERIES], "sum"
    if numbers:
        return numbers[:MAX_SERIES], "mean"
    return [], "count"


def _add(groups: _Groups, key: str, row: list[Any], measures: list[int]) -> None:
    sums = groups.sums.get(key)
    if sums is None:
        sums = groups.sums[key] = [Decimal(0)] * len(measures)
        groups.filled[key] = [0] * len(measures)
        groups.counts[key] = 0
    groups.counts[key] += 1
    filled = groups.filled[key]
    for n, i in enumerate(measures):
        if row[i] is not None:
            sums[n] += Decimal(row[i])
            filled[n] += 1


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else round(float(value), 2)


def build(table: Table, preview: list[list[Any]]) -> Chart | None:
    """The chart of ``table``'s rows (None: no shape to chart, or too many rows)."""
    columns = table.columns
    if not table.row_count or table.row_count > MAX_ROWS or not preview:
        return None
    measures, combine = _measures(columns)
    times = _time_candidates(columns, preview)
    categories = [
        i
        for i, c in enumerate(columns)
        if c.data_type == DataType.STRING and not c.masked and i not in times
    ]
    if not times and not categories:
        return None
    time_groups = [_Groups(i) for i in times]
    category_groups = [_Groups(i) for i in categories]
    seen = 0
    for row in data.rows(table):
        seen += 1
        for groups in time_groups:
            if groups.failed:
                continue
            period = _period(row[groups.position])
            if period is None:
                groups.failed = True
                continue
            _add(groups, period, row, measures)
        for groups in category_groups:
            if groups.failed:
                continue
            value = row[groups.position]
            key = data.text(value) if value not in (None, "") else "—"
            if key not in groups.sums and len(groups.sums) >= MAX_CATEGORIES:
                groups.failed = True
                continue
            _add(groups, key, row, measures)
    time = next((g for g in time_groups if not g.failed), None)
    if time is not None:
        time, unit = _coarsened(time)
        return _chart("line", columns, time, measures, combine, sorted(time.sums), unit)
    # A category repeats: a column with a different value in every row (a key, a name) is not one.
    usable = [g for g in category_groups if not g.failed and 2 <= len(g.sums) < seen]
    if not usable:
        return None
    best = max(usable, key=lambda g: len(g.sums))
    return _chart("bar", columns, best, measures, combine, list(best.sums))


def _merged(groups: _Groups, width: int) -> _Groups:
    """``groups`` with its periods cut to their first ``width`` characters (a day's
    ``2026-05-31`` to its month ``2026-05`` or year ``2026``), their numbers added up."""
    merged = _Groups(groups.position)
    for key, sums in groups.sums.items():
        short = key[:width]
        if short not in merged.sums:
            merged.sums[short] = [Decimal(0)] * len(sums)
            merged.filled[short] = [0] * len(sums)
            merged.counts[short] = 0
        merged.counts[short] += groups.counts[key]
        for n, value in enumerate(sums):
            merged.sums[short][n] += value
            merged.filled[short][n] += groups.filled[key][n]
    return merged


def _coarsened(groups: _Groups) -> tuple[_Groups, str]:
    """At most :data:`MAX_POINTS` periods: by month, else by year, if there are more."""
    unit = ""
    for width, name in ((7, _("by month")), (4, _("by year"))):
        if len(groups.sums) <= MAX_POINTS:
            break
        groups, unit = _merged(groups, width), name
    return groups, unit


def _chart(
    kind: str,
    columns: list[Column],
    groups: _Groups,
    measures: list[int],
    combine: str,
    keys: list[str],
    unit: str = "",
) -> Chart:
    dimension = columns[groups.position].name
    if unit:
        dimension = _("%(item)s (%(unit)s)") % {"item": dimension, "unit": unit}
    if combine == "count":
        series = [Series(_("Rows"), [groups.counts[k] for k in keys])]
    else:
        series = []
        for n, i in enumerate(measures):
            name = columns[i].name
            if combine == "mean":
                name = _("%(item)s (average)") % {"item": name}
                values = [
                    groups.sums[k][n] / groups.filled[k][n] if groups.filled[k][n] else 0
                    for k in keys
                ]
            else:
                values = [groups.sums[k][n] for k in keys]
            series.append(Series(name, [_number(Decimal(v)) for v in values]))
    title = _("%(measures)s by %(dimension)s") % {
        "measures": pgettext("list separator", ", ").join(s.name for s in series),
        "dimension": dimension,
    }
    return Chart(kind=kind, title=title, x_name=dimension, x=keys, series=series)
