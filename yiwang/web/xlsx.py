"""Writing an .xlsx file quickly: a minimal writer of the Office Open XML format.

openpyxl builds a cell object per value and serialises it through a generic XML writer:
about 1.5 s for a county's 2,000 service items with their materials and steps, most of a
download that should take a fraction of that. This module writes the same workbook (one
header row in bold on a light fill, frozen; column widths; text format on code columns so
that spreadsheet programs keep leading zeros) straight into the zip archive, as the Office
Open XML format (ECMA-376) describes it: strings inline (``t="inlineStr"``), numbers and
booleans as values. openpyxl still reads every workbook (the catalogue's import).

Two ways out: :func:`write_xlsx` gives the bytes of a small workbook (the service catalogue's
export); :func:`stream_xlsx` yields the file in pieces while the rows are still being read
(the open-data downloads), so a large table is never held in memory. A kernel utility: used
by the service catalogue and the open-data portal.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO
from typing import IO, Any, cast
from xml.sax.saxutils import escape, quoteattr

# Characters XML 1.0 does not allow (openpyxl refuses them too); removed from text.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
HEADER_STYLE, TEXT_STYLE = 1, 2


@dataclass
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[float] = ()
    text_columns: frozenset[int] = field(default_factory=frozenset)  # 0-based


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# Anything that needs work: a character XML does not allow, or one to escape.
_SPECIAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff&<>]")


def _text(value: str) -> str:
    """Text as XML character data (most text needs nothing: one scan finds out)."""
    if not _SPECIAL.search(value):
        return value
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    return escape(value)


def _cell(ref: str, value: Any, style: str) -> str:
    """One cell; ``style`` is ``''`` or `` s="n"``. Strings are the common case (the caller
    writes them itself, this is for the rest)."""
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
    if isinstance(value, Decimal) and value.is_finite():
        return f'<c r="{ref}"{style}><v>{format(value, "f")}</v></c>'
    return (
        f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">'
        f"{_text(str(value))}</t></is></c>"
    )


def _row(number: int, row: Sequence[Any], letters: list[str], styles: list[str]) -> str:
    cells = []
    for i, value in enumerate(row):
        if value is None or value == "":
            continue
        if type(value) is str:
            cells.append(
                f'<c r="{letters[i]}{number}"{styles[i]} t="inlineStr"><is>'
                f'<t xml:space="preserve">{_text(value)}</t></is></c>'
            )
        else:
            cells.append(_cell(f"{letters[i]}{number}", value, styles[i]))
    return f'<row r="{number}">{"".join(cells)}</row>'


def _head(sheet: Sheet, letters: list[str], dimension: str | None) -> list[str]:
    parts = [_XML, f'<worksheet xmlns="{_NS}" xmlns:r="{_REL}">']
    if dimension is not None:
        parts.append(f'<dimension ref="{dimension}"/>')
    parts += [
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>',
        '<sheetFormatPr defaultRowHeight="15"/>',
    ]
    if sheet.widths:
        parts.append("<cols>")
        for number, width in enumerate(sheet.widths, start=1):
            style = f' style="{TEXT_STYLE}"' if number - 1 in sheet.text_columns else ""
            parts.append(
                f'<col min="{number}" max="{number}" width="{width}"{style} customWidth="1"/>'
            )
        parts.append("</cols>")
    parts.append("<sheetData>")
    parts.append(_row(1, sheet.header, letters, [f' s="{HEADER_STYLE}"'] * len(letters)))
    return parts


def _letters_and_styles(sheet: Sheet) -> tuple[list[str], list[str]]:
    letters = [column_letter(i) for i in range(1, len(sheet.header) + 1)]
    styles = [f' s="{TEXT_STYLE}"' if i in sheet.text_columns else "" for i in range(len(letters))]
    return letters, styles


def _sheet_xml(sheet: Sheet) -> str:
    letters, styles = _letters_and_styles(sheet)
    body = []
    number = 1
    for number, row in enumerate(sheet.rows, start=2):
        body.append(_row(number, row, letters, styles))
    last = f"{letters[-1]}{number}" if letters else "A1"
    return "".join([*_head(sheet, letters, f"A1:{last}"), *body, "</sheetData></worksheet>"])


def _sheet_pieces(sheet: Sheet, rows_per_piece: int) -> Iterator[str]:
    """The worksheet's XML in pieces of ``rows_per_piece`` rows. Without ``<dimension>``
    (optional in ECMA-376): the last row is not known until the rows have been read."""
    letters, styles = _letters_and_styles(sheet)
    yield "".join(_head(sheet, letters, None))
    piece: list[str] = []
    for number, row in enumerate(sheet.rows, start=2):
        piece.append(_row(number, row, letters, styles))
        if len(piece) >= rows_per_piece:
            yield "".join(piece)
            piece = []
    piece.append("</sheetData></worksheet>")
    yield "".join(piece)


_STYLES = (
    _XML + f'<styleSheet xmlns="{_NS}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" '
    'applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _package(titles: list[str]) -> dict[str, str]:
    """Every part but the worksheets."""
    numbers = range(1, len(titles) + 1)
    sheets = "".join(
        f'<sheet name={quoteattr(title)} sheetId="{n}" r:id="rId{n}"/>'
        for n, title in zip(numbers, titles, strict=True)
    )
    sheet_rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in numbers
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in numbers
    )
    return {
        "[Content_Types].xml": (
            _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>"
        ),
        "_rels/.rels": (
            _XML + f'<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            _XML + f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            _XML + f'<Relationships xmlns="{_PKG_REL}">{sheet_rels}'
            f'<Relationship Id="rId{len(titles) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": _STYLES,
    }


def write_xlsx(sheets: list[Sheet]) -> bytes:
    """The workbook with ``sheets``, in their order, as the bytes of an .xlsx file."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, content in _package([sheet.title for sheet in sheets]).items():
            archive.writestr(name, content)
        for number, sheet in enumerate(sheets, start=1):
            archive.writestr(f"xl/worksheets/sheet{number}.xml", _sheet_xml(sheet))
    return buffer.getvalue()


class _Pipe:
    """A write-only file that keeps what is written until it is taken: the zip archive
    writes into it, the generator hands the bytes on. ``zipfile`` sees it cannot seek and
    writes each member's sizes after its data (a data descriptor), as streaming needs."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def stream_xlsx(
    sheets: list[Sheet], *, rows_per_piece: int = 500, large: bool = False
) -> Iterator[bytes]:
    """The workbook with ``sheets`` as the pieces of an .xlsx file, written while the rows
    are read: memory holds one piece of rows, never the table. ``large`` lets a worksheet
    grow past 2 GiB uncompressed (ZIP64: say so when the rows may be that many)."""
    pipe = _Pipe()
    sink = cast(IO[bytes], pipe)  # all zipfile uses of it: write and flush
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, content in _package([sheet.title for sheet in sheets]).items():
            archive.writestr(name, content)
        yield pipe.take()
        for number, sheet in enumerate(sheets, start=1):
            member = archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=large)
            with member:
                for piece in _sheet_pieces(sheet, rows_per_piece):
                    member.write(piece.encode())
                    data = pipe.take()
                    if data:
                        yield data
    yield pipe.take()
