"""The header of a file matched to the published items, and one converter per column.

A header cell names an item by its column (``id_number``) or by its Chinese name
(``公民身份号码``), compared trimmed, without spaces and with full-width letters, digits and
brackets made half-width (NFKC), so ``公民身份号码 `` and ``ＩＤ_ＮＵＭＢＥＲ`` both match.

Converters are chosen once per column, not per cell. A batch of a column is first offered
to its column converter (text, whole numbers and ISO dates given as text), which converts
the whole column without a Python call per cell, or declines (returns None) when any cell
is not of the usual form. Then each cell goes through its cell converter: the common cases
take a short path, and everything else — and every value the short path does not accept —
goes through :func:`.hub.values.convert`, which gives the same result or the reason the
value is bad. Nothing here is translated per row.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from ..choices import DataType
from ..hub.values import BadValue, HubColumn, convert
from .readers import Unreadable

_SPACE = re.compile(r"\s+")

Converter = Callable[[Any], Any]
ColumnConverter = Callable[[list[Any]], "list[Any] | None"]


def normalise(name: Any) -> str:
    """A header cell or item name as compared: NFKC, no spaces, case-folded."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(name or ""))).casefold()


@dataclass
class Mapping:
    #: The file's columns that feed items, in the table's order.
    columns: list[HubColumn]
    #: For each of ``columns``, its position in a row of the file.
    positions: list[int]
    converters: list[Converter]
    #: For each of ``columns``, its column converter (see ``column_converter``).
    column_converters: list[ColumnConverter]
    #: The header text of each of ``columns`` as the file writes it.
    headers: list[str]
    #: Header cells no item matches (listed in a warning).
    unknown: list[str] = field(default_factory=list)
    #: Published items the file does not have (their values are left as they are).
    missing: list[HubColumn] = field(default_factory=list)
    key_index: int = 0


def map_header(header: list[str], columns: list[HubColumn], key: str) -> Mapping:
    """Match ``header`` to ``columns``; raises :class:`.readers.Unreadable` when the key
    item's column is missing or two header cells name the same item."""
    lookup: dict[str, HubColumn] = {}
    for column in columns:
        lookup.setdefault(normalise(column.column), column)
        lookup.setdefault(normalise(column.name), column)
    found: dict[str, tuple[int, str]] = {}
    unknown: list[str] = []
    for position, cell in enumerate(header):
        text = str(cell or "").strip()
        if not text:
            continue
        match = lookup.get(normalise(text))
        if match is None:
            unknown.append(text)
            continue
        if match.column in found:
            raise Unreadable(
                _(
                    "The columns “%(first)s” and “%(second)s” both stand for the data item “%(name)s”."
                )
                % {"first": found[match.column][1], "second": text, "name": match.name}
            )
        found[match.column] = (position, text)
    key_column = next(c for c in columns if c.column == key)
    if key not in found:
        raise Unreadable(
            _(
                "The file has no column for the key item “%(name)s” (%(column)s): rows cannot "
                "be matched without it. Add a column headed “%(name)s”."
            )
            % {"name": key_column.name, "column": key_column.column}
        )
    mapped = [c for c in columns if c.column in found]
    return Mapping(
        columns=mapped,
        positions=[found[c.column][0] for c in mapped],
        converters=[converter(c) for c in mapped],
        column_converters=[column_converter(c) for c in mapped],
        headers=[found[c.column][1] for c in mapped],
        unknown=unknown,
        missing=[c for c in columns if c.column not in found],
        key_index=next(i for i, c in enumerate(mapped) if c.column == key),
    )


#: From here a number in a spreadsheet cell has lost digits (a double holds 15 exactly).
FLOAT_DIGITS = 1e15


def lost_digits() -> str:
    return _(
        "Excel keeps this as a number and has lost its last digits (an ID number, say): "
        "format the column as text, enter the values again and upload the file again."
    )


def converter(column: HubColumn) -> Converter:
    """The function turning a cell into ``column``'s value (``None`` when empty); raises
    :class:`.hub.values.BadValue` as :func:`.hub.values.convert` does."""
    kind = column.data_type
    if kind == DataType.STRING:
        limit = column.max_length or 0

        def text(value: Any) -> Any:
            if value.__class__ is str:
                stripped = value.strip()
                if not stripped:
                    return None
                if not limit or len(stripped) <= limit:
                    return stripped
            elif value.__class__ is float and abs(value) >= FLOAT_DIGITS:
                raise BadValue(lost_digits())
            return convert(value, column)

        return text
    if kind == DataType.INTEGER:

        def whole(value: Any) -> Any:
            if value.__class__ is str:
                stripped = value.strip()
                if stripped.isascii() and stripped.isdigit():
                    return int(stripped)
            elif value.__class__ is int:
                return value
            return convert(value, column)

        return whole
    if kind == DataType.DATE:
        iso = dt.date.fromisoformat

        def day(value: Any) -> Any:
            if value.__class__ is str:
                stripped = value.strip()
                # Only YYYY-MM-DD: fromisoformat also takes week dates, which convert() does not.
                if (
                    len(stripped) == 10
                    and stripped[4] == stripped[7] == "-"
                    and (stripped[:4] + stripped[5:7] + stripped[8:]).isdigit()
                ):
                    try:
                        return iso(stripped)
                    except ValueError:
                        pass  # convert() says why
            return convert(value, column)

        return day
    return lambda value: convert(value, column)


_STR = frozenset({str})
_STR_OR_NONE = frozenset({str, type(None)})


def _stripped(cells: list[Any]) -> list[str] | None:
    """The cells trimmed, ``""`` for an empty one; None when one is not text."""
    kinds = set(map(type, cells))
    if kinds <= _STR:
        return list(map(str.strip, cells))
    if kinds <= _STR_OR_NONE:
        return ["" if cell is None else cell.strip() for cell in cells]
    return None


def _filled(texts: list[str], convert: Callable[[list[str]], list[Any] | None]) -> list[Any] | None:
    """``convert`` of the non-empty texts, with None where a text is empty."""
    if "" not in texts:
        return convert(texts)
    values = convert([text for text in texts if text])
    if values is None:
        return None
    found = iter(values)
    return [next(found) if text else None for text in texts]


def _whole_numbers(texts: list[str]) -> list[int] | None:
    joined = "".join(texts)
    if not (joined.isascii() and joined.isdigit()):
        return None
    return list(map(int, texts))


def _iso_days(texts: list[str]) -> list[dt.date] | None:
    try:
        days = list(map(dt.date.fromisoformat, texts))
    except ValueError:
        return None
    # Only YYYY-MM-DD: fromisoformat also takes 20240131 and week dates, which convert()
    # reads otherwise or not at all.
    if list(map(dt.date.isoformat, days)) != texts:
        return None
    return days


def column_converter(column: HubColumn) -> ColumnConverter:
    """The function converting a whole column of a batch as the cell converter would, or
    returning None (then the cells go one by one)."""
    kind = column.data_type
    if kind == DataType.STRING:
        limit = column.max_length or 0

        def texts(cells: list[Any]) -> list[Any] | None:
            stripped = _stripped(cells)
            if stripped is None or (limit and max(map(len, stripped), default=0) > limit):
                return None
            return [text or None for text in stripped] if "" in stripped else stripped

        return texts
    if kind == DataType.INTEGER:

        def wholes(cells: list[Any]) -> list[Any] | None:
            stripped = _stripped(cells)
            return None if stripped is None else _filled(stripped, _whole_numbers)

        return wholes
    if kind == DataType.DATE:

        def days(cells: list[Any]) -> list[Any] | None:
            stripped = _stripped(cells)
            return None if stripped is None else _filled(stripped, _iso_days)

        return days
    return lambda cells: None
