"""Reading an upload or a pulled answer as a header and rows, without holding them all.

``open_table(handle, fmt, ...)`` gives a :class:`Table`: the header cells, an iterator of
``(row number, cells)`` and the number of rows expected (for the progress bar). A file that
cannot be read at all raises :class:`Unreadable` with a reason a data admin can act on, before
any row is handed out — so a job that fails as a whole writes nothing.

- CSV: the encoding is UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode
  text"), else GB18030 (a superset of GBK, what Excel and many systems in China export);
  charset-normalizer is asked only when none of these decodes the start of the file. The
  whole file is decoded once before reading, so a bad byte half-way is a clear failure with
  its line rather than a half-done import. The delimiter is the one of ``,`` ``;`` and tab
  the header line holds most often.
- Excel .xlsx: openpyxl in read-only mode; the sheet named like the resource, else the first.
- Excel 97-2003 .xls: xlrd (the file is small: at most 65,536 rows per sheet).
- JSON: a list of objects, or an object with that list under "rows", "data" or "records"
  (or a dotted ``rows_path``, for pulls).

Row numbers are those a spreadsheet shows: the header is row 1. For JSON a row number is the
record's position in the list (the first is 1).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.files import File
from django.utils.translation import gettext as _

#: Bytes looked at to tell the encoding and the delimiter.
SAMPLE_BYTES = 64 * 1024
#: Bytes decoded per step when the whole CSV file is checked.
CHUNK_BYTES = 1024 * 1024
DELIMITERS = (",", "\t", ";")
#: Where a JSON answer may hold its rows when no path is given.
ROW_KEYS = ("rows", "data", "records")
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A cell may be long (an address, a description) but not the whole file.
csv.field_size_limit(16 * 1024 * 1024)


class Unreadable(ValueError):
    """The file (or answer) cannot be read as rows at all; ``str()`` says why."""


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    #: Data rows expected (0 when not known).
    expected: int = 0
    #: Called when reading is over (closes workbooks).
    close: Callable[[], None] = lambda: None


# --- CSV ---------------------------------------------------------------------------------


def _decodes(sample: bytes, encoding: str) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(sample: bytes) -> str:
    """The encoding of a text file from its first bytes (see the module docstring)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes(sample, "utf-8"):
        return "utf-8"
    if _decodes(sample, "gb18030"):
        return "gb18030"
    from charset_normalizer import from_bytes  # rarely needed: loaded only then

    best = from_bytes(sample).best()
    if best is None or not best.encoding:
        raise Unreadable(
            _(
                "The file's text encoding cannot be recognised. Save it as CSV UTF-8 "
                "(in Excel: Save As → CSV UTF-8) and upload it again."
            )
        )
    return str(best.encoding)


def _check_text(handle: IO[bytes], encoding: str) -> int:
    """Decode the whole file once; returns its number of lines. Raises :class:`Unreadable`
    at the first byte that is not ``encoding`` or at a NUL byte (a binary file)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines = 0
    while True:
        chunk = handle.read(CHUNK_BYTES)
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise Unreadable(
                _(
                    "Line %(line)d is not valid %(encoding)s text: the file mixes encodings or "
                    "is damaged. Save it again as CSV UTF-8 and upload it again."
                )
                % {
                    "line": lines + chunk[: exc.start].count(b"\n") + 1,
                    "encoding": encoding.upper(),
                }
            ) from exc
        if "\x00" in text:
            raise Unreadable(_("This file is not a text (CSV) file."))
        lines += text.count("\n")
        if not chunk:
            return lines


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _unwrapped(handle: IO[bytes]) -> IO[bytes]:
    """The file object under Django's ``File`` wrappers (an upload, a stored file): a text
    reader asks its buffer whether it is closed on every line, and the wrappers answer that
    in Python, which cost more than the line's CSV parsing."""
    while isinstance(handle, File) and handle.file is not None:
        handle = handle.file
    return handle


def read_csv(handle: IO[bytes]) -> Table:
    """``handle``: a seekable binary file."""
    handle = _unwrapped(handle)
    sample = handle.read(SAMPLE_BYTES)
    if not sample.strip():
        raise Unreadable(_("The file is empty."))
    encoding = detect_encoding(sample)
    handle.seek(0)
    lines = _check_text(handle, encoding)
    handle.seek(0)
    first = sample.decode(encoding, errors="ignore").split("\n", 1)[0]
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=sniff_delimiter(first))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise Unreadable(_("The file has no header row.")) from exc

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 1
        try:
            for cells in reader:
                number += 1
                yield number, cells
        except csv.Error as exc:
            raise Unreadable(
                _("Row %(row)d cannot be read as CSV: %(reason)s")
                % {"row": number + 1, "reason": exc}
            ) from exc

    def detach() -> None:
        text.detach()  # the caller closes the file, not the wrapper

    return Table(header=header, rows=rows(), expected=max(lines - 1, 0), close=detach)


# --- Excel -------------------------------------------------------------------------------


def _sheet_index(names: list[str], wanted: list[str]) -> int:
    normal = [n.strip() for n in names]
    for name in wanted:
        if name and name in normal:
            return normal.index(name)
    return 0


def read_xlsx(handle: IO[bytes], sheet_names: list[str]) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise Unreadable(
            _("This file is not a readable Excel workbook (.xlsx): save it again in Excel.")
        ) from exc
    sheet = book.worksheets[_sheet_index(book.sheetnames, sheet_names)]
    cells = sheet.iter_rows(values_only=True)
    try:
        header = list(next(cells))
    except StopIteration as exc:
        book.close()
        raise Unreadable(_("The sheet “%(sheet)s” is empty.") % {"sheet": sheet.title}) from exc
    expected = max((sheet.max_row or 0) - 1, 0)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, values in enumerate(cells, start=2):
            yield number, list(values)

    return Table(
        header=["" if h is None else str(h) for h in header],
        rows=rows(),
        expected=expected,
        close=book.close,
    )


def read_xls(handle: IO[bytes], sheet_names: list[str]) -> Table:
    import xlrd

    content = handle.read()
    try:
        book = xlrd.open_workbook(file_contents=content)
    except Exception as exc:  # xlrd raises many kinds on a damaged file
        raise Unreadable(
            _(
                "This file is not a readable Excel 97-2003 workbook (.xls): open it in Excel "
                "and save it as .xlsx."
            )
        ) from exc
    sheet = book.sheet_by_index(_sheet_index(book.sheet_names(), sheet_names))
    if sheet.nrows == 0:
        raise Unreadable(_("The sheet “%(sheet)s” is empty.") % {"sheet": sheet.name})

    def value(cell: Any) -> Any:
        if cell.ctype == xlrd.XL_CELL_DATE:
            return xlrd.xldate_as_datetime(cell.value, book.datemode)
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return bool(cell.value)
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
            return None
        return cell.value

    header = [str(value(c) or "") for c in sheet.row(0)]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for index in range(1, sheet.nrows):
            yield index + 1, [value(c) for c in sheet.row(index)]

    return Table(header=header, rows=rows(), expected=sheet.nrows - 1, close=book.release_resources)


# --- JSON --------------------------------------------------------------------------------


def _at_path(data: Any, path: str) -> Any:
    for part in [p for p in path.split(".") if p]:
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            raise Unreadable(
                _("The answer has nothing at “%(path)s”: check the path to the rows.")
                % {"path": path}
            )
    return data


def rows_of(data: Any, rows_path: str = "") -> list:
    """The list of row objects in a JSON document (see the module docstring)."""
    if rows_path:
        data = _at_path(data, rows_path)
    elif isinstance(data, dict):
        found = [data[k] for k in ROW_KEYS if isinstance(data.get(k), list)]
        if not found:
            raise Unreadable(
                _('The JSON holds no list of rows: give a list of objects, or put it under "rows".')
            )
        data = found[0]
    if not isinstance(data, list):
        raise Unreadable(_("The JSON holds no list of rows: give a list of objects."))
    if any(not isinstance(row, dict) for row in data):
        raise Unreadable(_("Every row of the JSON list must be an object of name → value."))
    return data


def table_of_records(records: list[dict]) -> Table:
    """A table from JSON objects: the header is every name used, in order of appearance."""
    names: dict[str, None] = {}
    for record in records:
        for name in record:
            names.setdefault(str(name), None)
    header = list(names)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, record in enumerate(records, start=1):
            cells = [record.get(name) for name in header]
            for index, cell in enumerate(cells):
                if isinstance(cell, (dict, list)):
                    # A nested value is kept as its JSON text (a text item can hold it).
                    cells[index] = json.dumps(cell, ensure_ascii=False)
            yield number, cells

    return Table(header=header, rows=rows(), expected=len(records))


def read_json(handle: IO[bytes], rows_path: str = "") -> Table:
    content = handle.read()
    if not content.strip():
        raise Unreadable(_("The file is empty."))
    encoding = detect_encoding(content[:SAMPLE_BYTES])
    try:
        data = json.loads(content.decode(encoding))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Unreadable(_("This file is not valid JSON: %(reason)s") % {"reason": exc}) from exc
    return table_of_records(rows_of(data, rows_path))


# --- dispatch ----------------------------------------------------------------------------


def open_table(handle: IO[bytes], fmt: str, *, sheet_names: list[str] | None = None) -> Table:
    """The table in ``handle`` read as ``fmt`` (``IngestionFormat``)."""
    if fmt == "csv":
        return read_csv(handle)
    if fmt == "xlsx":
        return read_xlsx(handle, sheet_names or [])
    if fmt == "xls":
        return read_xls(handle, sheet_names or [])
    if fmt == "json":
        return read_json(handle)
    raise Unreadable(_("Unknown file format “%(format)s”.") % {"format": fmt})


def sniff_format(name: str, head: bytes) -> str | None:
    """The format of an upload from its name and first bytes, or None when it is none of
    ours. The bytes decide where they can: an .xls that is really a zip is read as .xlsx,
    and one that is really text (many systems export tab-separated text named .xls) as CSV."""
    lower = name.lower()
    extension = lower.rsplit(".", 1)[-1] if "." in lower else ""
    if head.startswith(XLSX_MAGIC):
        return "xlsx" if extension in ("xlsx", "xls", "xlsm") else None
    if head.startswith(XLS_MAGIC):
        return "xls" if extension in ("xls", "xlsx") else None
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    if extension == "json":
        return "json"
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip().lower()
    if stripped.startswith((b"<html", b"<!doctype", b"<?xml", b"<table")):
        return None  # a web page named .xls: it has to be saved as a workbook first
    if extension in ("csv", "txt", "tsv", "xls"):
        return "csv"
    return None
