"""A run's issue list as a file for the provider to work through: CSV or Excel.

At most ``YIWANG_QUALITY_MAX_ISSUES`` rows (what a run keeps), values as stored (masked).
CSV is UTF-8 with a BOM, so Excel opens it with the Chinese intact; text that a spreadsheet
would take for a formula (``=``, ``+``, ``-``, ``@`` first) is prefixed with ``'`` there.
The .xlsx file is written by the kernel's writer (``yiwang.web.xlsx``): its cells are inline
strings, never formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

from django.utils.translation import gettext as _

from yiwang.web.xlsx import Sheet, write_xlsx

from .display import kind_label
from .models import QualityIssue, QualityRun

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _as_is(text: str) -> str:
    return text


def header() -> list[str]:
    return [_("Row key"), _("Data item"), _("Rule"), _("Value"), _("Problem")]


def rows(
    run: QualityRun, items: dict[str, dict], safe: Callable[[str], str] = _as_is
) -> Iterator[list[str]]:
    names = {column: item["name"] for column, item in items.items()}
    issues = QualityIssue.objects.filter(run=run).order_by("id")
    for issue in issues.iterator(chunk_size=2000):
        item = names.get(issue.column, issue.column)
        column = f"{item} ({issue.column})" if issue.column else _("The whole resource")
        yield [
            safe(issue.row_key),
            column,
            kind_label(issue.kind),
            safe(issue.value),
            safe(issue.message),
        ]


def as_csv(run: QualityRun, items: dict[str, dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header())
    writer.writerows(rows(run, items, _csv_safe))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(run: QualityRun, items: dict[str, dict]) -> bytes:
    sheet = Sheet(
        title=_("Issues"),
        header=header(),
        rows=rows(run, items),
        widths=(22, 24, 18, 24, 50),
        text_columns=frozenset({0, 3}),
    )
    return write_xlsx([sheet])
