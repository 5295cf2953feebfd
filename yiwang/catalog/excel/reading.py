"""Reading a workbook: sheets into rows, cells into values, item rows into action fields.

Nothing here looks at the catalogue: a row is turned into the values the actions take
(references still as codes), and every problem becomes a :class:`RowError` naming the
sheet, row and column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext
from openpyxl.workbook.workbook import Workbook

from ..models import (
    Audience,
    CaseRegionSource,
    HandlingKind,
    ItemStatus,
    NodeLevel,
    OnlineDepth,
)
from .columns import (
    AUDIENCE_LABELS,
    CASE_REGION_LABELS,
    DEPTH_LABELS,
    HANDLING_LABELS,
    ITEM_HEADER,
    ITEMS_SHEET,
    MAX_ROWS,
    NO,
    NODE_LEVEL_LABELS,
    OPTIONAL_COLUMNS,
    STATUS_LABELS,
    YES,
    Labels,
)

Row = dict[str, Any]


@dataclass
class RowError:
    sheet: str
    row: int | None
    column: str
    message: str
    code: str = ""  # the implementation code of the row's item, when known
    name: str = ""  # and its name

    def __str__(self) -> str:
        if self.row is None:
            return gettext("Sheet “%(sheet)s”: %(message)s") % {
                "sheet": self.sheet,
                "message": self.message,
            }
        if not self.column:
            return gettext("Sheet “%(sheet)s”, row %(row)d: %(message)s") % {
                "sheet": self.sheet,
                "row": self.row,
                "message": self.message,
            }
        return gettext("Sheet “%(sheet)s”, row %(row)d, column “%(column)s”: %(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "code": self.code,
            "name": self.name,
            "text": str(self),
        }


@dataclass
class ItemRow:
    """One 事项 row read: the action fields (references as codes) and the row's other cells."""

    number: int
    fields: dict[str, Any]
    status: str
    parent: str  # the parent's implementation code, or ""
    code_cell: str  # the 实施编码 cell as written, or ""
    # 主题 and 默认展示: {"themes": [names] or None, "preferred": bool or None}; see .display
    display: dict[str, Any] = field(default_factory=dict)


# --- cells ----------------------------------------------------------------------------


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def choice(value, labels: Labels, *, default=None):
    """Map a label (or the raw value) back to the stored value; KeyError when unknown."""
    cell = text(value)
    if cell == "" and default is not None:
        return default
    for stored, label in labels.items():
        if cell in (label, str(stored)):
            return stored
    raise KeyError(cell)


def yes_no(value, *, default: bool) -> bool:
    cell = text(value)
    if cell == "":
        return default
    if cell in (YES, "Y", "y", "TRUE", "True", "true", "1"):
        return True
    if cell in (NO, "N", "n", "FALSE", "False", "false", "0"):
        return False
    raise KeyError(cell)


def int_cell(value) -> int | str:
    """A whole number, or the cell's text for the validation to refuse."""
    cell = text(value)
    return int(cell) if cell.isdigit() else cell


def padded(value, width: int) -> str:
    cell = text(value)
    return cell.zfill(width) if cell.isdigit() and len(cell) < width else cell


def not_allowed(value: str, labels: Labels) -> str:
    return gettext("“%(value)s” is not allowed; use one of %(choices)s.") % {
        "value": value,
        "choices": "、".join(labels.values()),
    }


# --- sheets ---------------------------------------------------------------------------


def read_sheet(
    wb: Workbook, title: str, columns: list[tuple[str, str]], errors: list[RowError]
) -> list[tuple[int, Row]]:
    """Rows of a sheet as (row number, {key: value}); header checked.

    A missing optional column leaves its key out of the rows (the value is kept), a
    missing required one is an error.
    """
    if title not in wb.sheetnames:
        message = gettext("the sheet is missing; export a workbook to see the expected format.")
        errors.append(RowError(title, None, "", message))
        return []
    rows = wb[title].iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        errors.append(RowError(title, None, "", gettext("the header row is missing.")))
        return []
    positions = {text(h): i for i, h in enumerate(header) if text(h)}
    missing = [
        h
        for key, h in columns
        if not key.endswith("*") and key not in OPTIONAL_COLUMNS and h not in positions
    ]
    if missing:
        message = gettext("missing columns: %(columns)s.") % {"columns": "、".join(missing)}
        errors.append(RowError(title, 1, "", message))
        return []
    present = [(key, positions[h]) for key, h in columns if h in positions]
    out = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            message = gettext("too many rows (at most %(n)d).") % {"n": MAX_ROWS}
            errors.append(RowError(title, number, "", message))
            break
        if values is None or all(v is None or text(v) == "" for v in values):
            continue
        out.append((number, {key: values[i] if i < len(values) else None for key, i in present}))
    return out


# --- item rows ------------------------------------------------------------------------

ErrorSink = Callable[[str, str], None]
CHOICES: list[tuple[str, Labels, Any]] = [
    ("node_level", NODE_LEVEL_LABELS, NodeLevel.HANDLING),
    ("handling_kind", HANDLING_LABELS, HandlingKind.NEW),
    ("audience", AUDIENCE_LABELS, Audience.PERSON),
    ("online_depth", DEPTH_LABELS, OnlineDepth.WINDOW),
    ("case_region_from", CASE_REGION_LABELS, CaseRegionSource.ITEM),
]


def _plain_fields(row: Row) -> dict[str, Any]:
    fields = {
        "name": text(row["name"]),
        "aliases": text(row["aliases"]),
        "item_type": text(row["item_type"]).upper(),
        "main_number": padded(row["main_number"], 5),
        "sub_number": padded(row["sub_number"], 3) or "000",
        "level_code": text(row["level_code"]),
        "department": text(row["department"]).upper(),
        "region": text(row["region"]),
        "legal_basis": text(row["legal_basis"]),
        "scope": text(row["scope"]),
        "conditions": text(row["conditions"]),
        "fees": text(row["fees"]) or "不收费",
        "fee_basis": text(row["fee_basis"]),
        "consult_phone": text(row["consult_phone"]),
        "complaint_phone": text(row["complaint_phone"]),
        "location": text(row["location"]),
        "statutory_limit": int_cell(row["statutory_limit"]),
        "promised_limit": int_cell(row["promised_limit"]),
        "visits": int_cell(row["visits"]),
        "channels": [
            c.strip()
            for c in text(row["channels"]).replace(",", "、").replace("，", "、").split("、")
            if c.strip()
        ],
    }
    fields["competent_department"] = (
        text(row["competent_department"]).upper() or fields["department"]
    )
    if "case_region_field" in row:
        fields["case_region_field"] = text(row["case_region_field"])
    return fields


def _choice_fields(row: Row, err: ErrorSink) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, labels, default in CHOICES:
        if key not in row:  # an optional column the workbook does not have
            continue
        try:
            fields[key] = choice(row[key], labels, default=default)
        except KeyError as exc:
            err(key, not_allowed(exc.args[0], labels))
    for key in ("county_wide", "cross_region"):
        try:
            fields[key] = yes_no(row[key], default=key == "county_wide")
        except KeyError as exc:
            err(
                key, gettext("“%(value)s” is not allowed; write 是 or 否.") % {"value": exc.args[0]}
            )
    return fields


def _lines(cell) -> list[str]:
    return [line.strip() for line in text(cell).splitlines() if line.strip()]


def _procedure(cell) -> list[dict]:
    """“name：description” per line (the guide's flow chart)."""
    steps = []
    for line in _lines(cell):
        name, _, desc = line.replace(":", "：", 1).partition("：")
        steps.append({"name": name.strip(), "description": desc.strip()})
    return steps


def _downloads(cell) -> list[dict]:
    """“name | address” per line."""
    downloads = []
    for line in _lines(cell):
        name, _, url = line.partition("|")
        downloads.append({"name": name.strip(), "url": url.strip()})
    return downloads


def _form_schema(cell, err: ErrorSink) -> dict | None:
    schema_text = text(cell)
    if not schema_text:
        return {}
    try:
        return json.loads(schema_text)
    except json.JSONDecodeError as exc:
        err(
            "form_schema",
            gettext("not valid JSON (line %(line)d, column %(col)d: %(msg)s).")
            % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg},
        )
        return None


def parse_item_row(number: int, row: Row, errors: list[RowError]) -> ItemRow | None:
    """Turn one 事项 row into action fields (codes left as codes); None when unreadable."""
    bad = False

    def err(key: str, message: str) -> None:
        nonlocal bad
        bad = True
        errors.append(RowError(ITEMS_SHEET, number, ITEM_HEADER[key], message))

    fields = _plain_fields(row)
    fields.update(_choice_fields(row, err))
    fields["procedure"] = _procedure(row["procedure"])
    fields["downloads"] = _downloads(row["downloads"])
    fields["form_schema"] = _form_schema(row["form_schema"], err)
    status = ItemStatus.DRAFT.value
    try:
        status = choice(row["status"], STATUS_LABELS, default=ItemStatus.DRAFT)
    except KeyError as exc:
        err("status", not_allowed(exc.args[0], STATUS_LABELS))
    display = _display(row, err)
    if bad:
        return None
    return ItemRow(
        number=number,
        fields=fields,
        status=status,
        parent=text(row["parent"]),
        code_cell=text(row["implementation_code"]),
        display=display,
    )


def _display(row: Row, err: ErrorSink) -> dict[str, Any]:
    """主题 (theme names, None when the cell is empty or missing) and 默认展示 (None likewise)."""
    names = [n.strip() for n in re.split(r"[、,，;；\n]", text(row.get("themes"))) if n.strip()]
    preferred = None
    try:
        if text(row.get("preferred")):
            preferred = yes_no(row["preferred"], default=False)
    except KeyError as exc:
        err(
            "preferred",
            gettext("“%(value)s” is not allowed; write 是 or 否.") % {"value": exc.args[0]},
        )
    return {"themes": list(dict.fromkeys(names)) or None, "preferred": preferred}
