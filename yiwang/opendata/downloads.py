"""An open dataset's rows as a file: CSV, JSON or Excel, written while they are read.

Every format streams (``StreamingHttpResponse``): rows come from the hub in batches
(``data.rows``) and leave as pieces of the file, so a table of a million rows is never held
in memory and the first bytes leave at once.

- **CSV**: UTF-8 with a byte-order mark (Excel then opens Chinese text correctly), a header
  row of item names, ``\\r\\n`` line ends (RFC 4180); yes/no as ``true``/``false``.
- **JSON**: ``{"name", "title", "url", "fields": [{"id", "name", "type"}], "records":
  [{column: value}]}`` — numbers as JSON numbers (decimals written exactly), dates as ISO
  8601 text.
- **Excel** (.xlsx, ``yiwang.web.xlsx``): a header row of item names; at most
  :data:`XLSX_MAX_ROWS` rows (the format's limit less the header): a larger table gets the
  first rows and a second sheet saying so (the page says it too; CSV and JSON have all).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from itertools import islice
from typing import Any
from urllib.parse import quote

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _

from yiwang.datahub.choices import DataType
from yiwang.web.xlsx import Sheet, stream_xlsx

from . import data
from .catalogue import DOWNLOADS, Dataset, public_url
from .data import Column, Table

BOM = "\ufeff"
#: Rows of one piece of a streamed file.
PIECE_ROWS = 500
#: An Excel worksheet holds 1,048,576 rows; the first is the header.
XLSX_MAX_ROWS = 1_048_575
#: Rows above which the workbook may pass 2 GiB uncompressed and needs ZIP64.
XLSX_ZIP64_ROWS = 200_000
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def _pieces(lines: Iterator[str], size: int = PIECE_ROWS) -> Iterator[bytes]:
    while True:
        piece = "".join(islice(lines, size))
        if not piece:
            return
        yield piece.encode()


# --- CSV ----------------------------------------------------------------------------------


def _csv_lines(table: Table) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: list[str]) -> str:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield BOM + line([c.name for c in table.columns])
    for row in data.rows(table):
        yield line([data.text(v, machine=True) for v in row])


def csv_stream(table: Table) -> Iterator[bytes]:
    return _pieces(_csv_lines(table))


# --- JSON ---------------------------------------------------------------------------------


def _json_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else "null"
    if isinstance(value, dt.date):
        return json.dumps(data.text(value, machine=True))
    return json.dumps(value, ensure_ascii=False)


def _json_lines(ds: Dataset, table: Table) -> Iterator[str]:
    head = {
        "name": ds.name,
        "title": ds.title,
        "url": public_url() + ds.page_path,
        "fields": [{"id": c.column, "name": c.name, "type": c.data_type} for c in table.columns],
    }
    # The header object without its closing brace, then the records one per line.
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "records": [\n'
    keys = [json.dumps(c.column) + ": " for c in table.columns]
    first = True
    for row in data.rows(table):
        record = "{" + ", ".join(k + _json_value(v) for k, v in zip(keys, row, strict=True)) + "}"
        yield record if first else ",\n" + record
        first = False
    yield "\n]}\n"


def json_stream(ds: Dataset, table: Table) -> Iterator[bytes]:
    return _pieces(_json_lines(ds, table))


# --- Excel --------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if isinstance(value, dt.date):
        return data.text(value, machine=True)
    return value


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: 31 characters, none of ``[]:*?/\\``."""
    return _SHEET_NAME_BAD.sub("_", title)[:31] or "data"


def _width(column: Column) -> float:
    return float(min(40, max(10, len(column.name) * 2 + 4)))


def xlsx_stream(ds: Dataset, table: Table) -> Iterator[bytes]:
    rows = (list(map(_cell, row)) for row in islice(data.rows(table), XLSX_MAX_ROWS))
    sheets = [
        Sheet(
            title=sheet_title(ds.title),
            header=[c.name for c in table.columns],
            rows=rows,
            widths=[_width(c) for c in table.columns],
            text_columns=frozenset(
                i for i, c in enumerate(table.columns) if c.data_type == DataType.STRING
            ),
        )
    ]
    if table.row_count > XLSX_MAX_ROWS:
        sheets.append(
            Sheet(
                title=sheet_title(_("Note")),
                header=[_("Note")],
                rows=[[truncation_note(table.row_count)]],
                widths=[100.0],
            )
        )
    return stream_xlsx(sheets, rows_per_piece=PIECE_ROWS, large=table.row_count > XLSX_ZIP64_ROWS)


def truncation_note(row_count: int) -> str:
    return _(
        "The dataset has %(rows)s rows; an Excel worksheet holds at most %(max)s, so this "
        "workbook has the first %(max)s. Download the CSV or JSON file for every row."
    ) % {"rows": f"{row_count:,}", "max": f"{XLSX_MAX_ROWS:,}"}


# --- the response -------------------------------------------------------------------------

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": DOWNLOADS["xlsx"][1],
}


def response(ds: Dataset, table: Table, fmt: str) -> StreamingHttpResponse:
    """The file of ``ds`` in ``fmt`` (``csv``, ``json`` or ``xlsx``), streamed."""
    if fmt == "csv":
        content = csv_stream(table)
    elif fmt == "json":
        content = json_stream(ds, table)
    elif fmt == "xlsx":
        content = xlsx_stream(ds, table)
    else:
        raise ValueError(f"unknown download format {fmt!r}")
    result = StreamingHttpResponse(content, content_type=CONTENT_TYPES[fmt])
    # An ASCII name for old clients, the dataset's title (RFC 6266, RFC 5987) for the rest.
    result["Content-Disposition"] = (
        f'attachment; filename="{ds.name}.{fmt}"; '
        f"filename*=UTF-8''{quote(ds.title, safe='')}.{fmt}"
    )
    result["Access-Control-Allow-Origin"] = "*"
    result["X-Content-Type-Options"] = "nosniff"
    result["Cache-Control"] = "no-cache"
    return result
