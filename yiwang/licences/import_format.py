"""The workbook format of licence imports (``importing``): its columns, the template, and
reading a file into rows.

The first sheet, 证照, has one licence per row under fixed Chinese headers (the file format
does not depend on the UI language): 证照类型代码, 证照编号, 持证主体名称, 持证主体代码 (resident
ID number or USCC, by the type's holder), 发证日期, 有效期起 (blank: the date of issue), 有效期至
(blank: the type's validity rule), then the licence types' own fields as columns named by
their label (or key). The template adds a second sheet, 证照类型, listing the types; the
import reads the first sheet only. Every cell is text in the template, so ID numbers keep
all their digits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext
from openpyxl import load_workbook

from yiwang.web.xlsx import Sheet, write_xlsx

from .models import HolderKind, LicenceType

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024
SHEET, TYPES_SHEET = "证照", "证照类型"
TYPE, NUMBER, NAME, CODE = "证照类型代码", "证照编号", "持证主体名称", "持证主体代码"
ISSUED, FROM, UNTIL = "发证日期", "有效期起", "有效期至"
COLUMNS = (TYPE, NUMBER, NAME, CODE, ISSUED, FROM, UNTIL)
OPTIONAL = (FROM, UNTIL)
NUMBER_MAX, NAME_MAX, FIELD_MAX = 64, 200, 500
KIND_WORDS = {
    HolderKind.PERSON: "自然人（公民身份号码）",
    HolderKind.ENTERPRISE: "法人（统一社会信用代码）",
}
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


@dataclass
class RowError:
    row: int | None  # the sheet's row number; None: the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if not self.column:
            return gettext("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}
        return gettext("Row %(row)d, column “%(column)s”: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


# --- the template ------------------------------------------------------------------------


def field_columns(types: Iterable[LicenceType]) -> list[str]:
    """The types' own fields as columns (by label, each once, in the types' order)."""
    labels: list[str] = []
    for licence_type in types:
        for spec in licence_type.fields:
            label = spec.get("label") or spec["key"]
            if label not in labels and label not in COLUMNS:
                labels.append(label)
    return labels


def template_bytes(types: Sequence[LicenceType]) -> bytes:
    """An empty workbook in the import format for ``types``, and a sheet that lists them."""
    header = [*COLUMNS, *field_columns(types)]
    listing = [
        [
            t.code,
            t.name,
            KIND_WORDS[HolderKind(t.holder_kind)],
            t.validity_years if t.validity_years is not None else "长期",
            "、".join(spec.get("label") or spec["key"] for spec in t.fields),
        ]
        for t in types
    ]
    every = frozenset(range(len(header)))  # text, so ID numbers and codes keep every digit
    return write_xlsx(
        [
            Sheet(SHEET, header, [], [max(12, len(h) * 2 + 4) for h in header], every),
            Sheet(
                TYPES_SHEET,
                ["证照类型代码", "证照类型名称", "持证主体", "有效期（年）", "证照字段"],
                listing,
                [26, 24, 26, 12, 40],
                frozenset({0}),
            ),
        ]
    )


# --- reading ----------------------------------------------------------------------------


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def date_cell(value: Any) -> dt.date:
    """A cell as a date; ValueError when it is none."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    cell = text(value)
    if cell.isdigit() and len(cell) == 8:
        return dt.date(int(cell[:4]), int(cell[4:6]), int(cell[6:]))
    match = _DATE.fullmatch(cell)
    if match is None:
        raise ValueError(cell)
    return dt.date(*(int(part) for part in match.groups()))


def _header_name(cell: Any) -> str:
    """A header cell; a base column may carry an explanation: 持证主体代码（身份证号/…）."""
    name = text(cell)
    for column in COLUMNS:
        if name.startswith(column) and name[len(column) : len(column) + 1] in ("（", "("):
            return column
    return name


def read_rows(file: IO[bytes], errors: list[RowError]) -> tuple[dict[str, int], list] | None:
    """(column → position, [(row number, values)]) of the first sheet; None on a file error."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a file that is not a workbook
        errors.append(RowError(None, "", _not_a_workbook()))
        return None
    try:
        rows = iter(
            workbook.worksheets[0].iter_rows(values_only=True) if workbook.worksheets else ()
        )
        header = next(rows, None)
        if header is None:
            errors.append(RowError(None, "", _not_a_workbook()))
            return None
        positions: dict[str, int] = {}
        for index, cell in enumerate(header):
            name = _header_name(cell)
            if name in positions:
                message = gettext("The column appears twice.")
                errors.append(RowError(1, name, message))
            elif name:
                positions[name] = index
        data: list[tuple[int, Sequence[Any]]] = []
        for number, values in enumerate(rows, start=2):
            if all(text(v) == "" for v in values):
                continue
            if len(data) == MAX_ROWS:
                message = gettext(
                    "The file has more than %(max)d licences; split it into files of at most "
                    "%(max)d rows."
                ) % {"max": MAX_ROWS}
                errors.append(RowError(None, "", message))
                return None
            data.append((number, values))
    finally:
        workbook.close()
    return positions, data


def _not_a_workbook() -> str:
    return gettext(
        "The file is not an Excel workbook (.xlsx) that can be read; download the template to "
        "see the expected format."
    )
