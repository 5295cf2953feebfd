"""What a job reports about the rows it could not write: problems and the failed-rows file.

A problem is ``{"row", "column", "name", "value", "message"}``. ``value`` is an excerpt: at
most ``EXCERPT_CHARS`` characters; for an item with a mask (ID numbers, names, phones,
addresses…) only its masked form (``datahub.masking``), and nothing of an item stored
encrypted without one — the message is rewritten so that it does not repeat the value. The job keeps the first ``MAX_STORED_ERRORS`` problems and
counts them all; the failed-rows file (CSV, UTF-8 with BOM so Excel opens it) holds every
failed row: its row number, its reasons and its cells, masked in the same way.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import Mask
from ..hub.values import HubColumn
from ..masking import HIDDEN, mask_value
from .mapping import Mapping
from .models import MAX_STORED_ERRORS

EXCERPT_CHARS = 50
#: Rows of the failed-rows file offered as .xlsx (one sheet holds at most 1,048,576 rows).
XLSX_MAX_ROWS = 1_048_575


_FORMULA = re.compile(r"^[=+@\t\r]|^-(?![\d.]+$)")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _inert(text: str) -> str:
    """A cell a spreadsheet program will not run as a formula (CSV injection): the file
    holds what an upload or an endpoint sent, and admins open it in Excel."""
    return "'" + text if _FORMULA.match(text) else text


class Masker:
    """Excerpts of cells for reports, by the published items' masks."""

    def __init__(self, items: list[dict], columns: list[HubColumn]):
        masks = {item["column"]: item.get("mask") or Mask.NONE for item in items}
        self.masks: dict[str, str | None] = {}
        for column in columns:
            mask = masks.get(column.column, Mask.NONE)
            if mask != Mask.NONE:
                self.masks[column.column] = mask
            else:  # an encrypted item without a mask shows nothing of its value
                self.masks[column.column] = Mask.HIDDEN if column.encrypted else None

    def excerpt(self, value: Any, column: str) -> str:
        text = _text(value)
        mask = self.masks.get(column)
        if mask is not None and text:
            return str(mask_value(text, mask)) if mask != Mask.HIDDEN else HIDDEN
        return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"

    def message(self, message: str, value: Any, column: str) -> str:
        """``message`` without the full value of an encrypted item."""
        text = _text(value)
        if self.masks.get(column) is None or not text:
            return message
        shown = self.excerpt(value, column)
        return message.replace(text, shown).replace(text.lower(), shown)


class Problems:
    """The problems of one job: the first ``MAX_STORED_ERRORS`` kept, all counted, and every
    failed row written to a CSV file in storage."""

    def __init__(self, job_id: int, mapping: Mapping, masker: Masker, header: list[str]):
        self.job_id = job_id
        self.mapping = mapping
        self.masker = masker
        self.header = header
        self.by_position = dict(zip(mapping.positions, mapping.columns, strict=True))
        self.stored: list[dict] = []
        self.total = 0
        self.rows = 0
        self._writer: Any = None
        self._text: io.TextIOWrapper | None = None
        self._spool: IO[bytes] | None = None

    def add(self, row: int, column: HubColumn, value: Any, message: str) -> dict:
        self.total += 1
        entry = {
            "row": row,
            "column": column.column,
            "name": column.name,
            "value": self.masker.excerpt(value, column.column),
            "message": self.masker.message(message, value, column.column),
        }
        if len(self.stored) < MAX_STORED_ERRORS:
            self.stored.append(entry)
        return entry

    def failed_row(self, row: int, cells: list[Any], reasons: list[str]) -> None:
        """Keep a failed row (its cells masked) with its reasons for the download."""
        self.rows += 1
        if self._writer is None:
            self._spool = tempfile.TemporaryFile()  # noqa: SIM115 - kept open until save()
            self._text = io.TextIOWrapper(self._spool, encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._text)
            self._writer.writerow([_("Row"), _("Reasons"), *(str(h or "") for h in self.header)])
        shown = []
        for position, value in enumerate(cells):
            column = self.by_position.get(position)
            text = self.masker.excerpt(value, column.column) if column else _text(value)
            shown.append(_inert(text))
        self._writer.writerow([row, _inert("；".join(reasons)), *shown])

    def save(self) -> str:
        """Store the failed-rows file; returns its storage name ("" when no row failed)."""
        if self._spool is None or self._text is None:
            return ""
        self._text.flush()
        self._spool.seek(0)
        name = f"datahub-ingestions/{timezone.now():%Y/%m}/{self.job_id}-failed.csv"
        stored = default_storage.save(name, File(self._spool, name=name))
        self.discard()
        return stored

    def discard(self) -> None:
        if self._text is not None:
            self._text.close()  # closes the spool too
        self._text = self._spool = self._writer = None


def failed_rows(stored_name: str) -> Iterator[list[str]]:
    """The rows of a stored failed-rows file (header first)."""
    with default_storage.open(stored_name, "rb") as handle:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        yield from csv.reader(text)


def failed_rows_xlsx(stored_name: str, out: IO[bytes]) -> None:
    """Write the failed-rows file as an .xlsx workbook to ``out``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Failed rows"))
    for number, row in enumerate(failed_rows(stored_name)):
        if number > XLSX_MAX_ROWS:
            break
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, never a formula, whatever it starts with
            cells.append(cell)
        sheet.append(cells)
    book.save(out)
