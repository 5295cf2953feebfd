"""Values of hub columns: reading what a file or an endpoint gives, storing, reading back.

``convert`` turns what an upload or a pull delivers (text from CSV, numbers and dates from
Excel, JSON values) into the item's Python type, or raises :class:`BadValue` with a message a
data admin can act on. ``to_db`` and ``from_db`` are the only places that know how each type
is kept on each database: SQLite has no decimal, date or boolean column, so those are kept
as text and integers there and turned back on reading.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import DataType, Grade

#: Grades whose values are encrypted at rest (with items that identify a person).
ENCRYPTED_GRADES = frozenset({Grade.G4, Grade.IMPORTANT, Grade.CORE})

_TRUE = frozenset({"1", "true", "t", "yes", "y", "是", "真", "有"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "否", "假", "无"})
# 2024-01-05, 2024/1/5, 2024.1.5, 2024年1月5日, 20240105
_DATE = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))$")
_DATETIME_SPLIT = re.compile(r"[T\s]+")


class BadValue(ValueError):
    """A value that cannot be read as its item's type; ``str()`` is the reason."""


@dataclass(frozen=True)
class HubColumn:
    column: str
    name: str
    data_type: str
    max_length: int | None
    encrypted: bool

    @property
    def blind_column(self) -> str:
        """The column beside an encrypted one that holds its keyed blind index."""
        return f"{self.column}__bi"

    @property
    def blind_purpose(self) -> str:
        return f"hub.{self.column}"


def column_of(item: dict) -> HubColumn:
    """The hub column of a published item (an entry of ``snapshot["items"]``)."""
    return HubColumn(
        column=item["column"],
        name=item["name"],
        data_type=item["data_type"],
        max_length=item.get("max_length"),
        encrypted=bool(item.get("personal")) or item["grade"] in ENCRYPTED_GRADES,
    )


def _date(text: str) -> dt.date:
    match = _DATE.match(text)
    if not match:
        raise BadValue(_("“%(value)s” is not a date (write it as 2024-01-31).") % {"value": text})
    year, month, day = (
        match.group(1),
        match.group(2) or match.group(4),
        match.group(3) or match.group(5),
    )
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise BadValue(_("“%(value)s” is not a real date.") % {"value": text}) from exc


def _datetime(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        parts = _DATETIME_SPLIT.split(text, maxsplit=1)
        day = _date(parts[0])
        try:
            clock = dt.time.fromisoformat(parts[1]) if len(parts) > 1 else dt.time()
        except ValueError as exc:
            raise BadValue(
                _("“%(value)s” is not a date and time (write it as 2024-01-31 08:30).")
                % {"value": text}
            ) from exc
        value = dt.datetime.combine(day, clock)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        # Excel gives 13800138000 as 13800138000.0: the digits are what was meant.
        return str(int(value))
    return str(value).strip()


def _convert(value: Any, column: HubColumn) -> Any:
    kind = column.data_type
    if kind == DataType.STRING:
        text = _text(value)
        if column.max_length and len(text) > column.max_length:
            raise BadValue(
                _("%(length)s characters, more than the %(max)s allowed.")
                % {"length": len(text), "max": column.max_length}
            )
        return text
    if kind == DataType.INTEGER:
        if isinstance(value, bool):
            raise BadValue(_("A yes/no value is not a whole number."))
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = _text(value).replace(",", "")
        if not re.fullmatch(r"[+-]?\d+", text):
            raise BadValue(_("“%(value)s” is not a whole number.") % {"value": text})
        return int(text)
    if kind == DataType.DECIMAL:
        if isinstance(value, bool):
            raise BadValue(_("A yes/no value is not a number."))
        text = _text(value).replace(",", "") if not isinstance(value, float) else repr(value)
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise BadValue(_("“%(value)s” is not a number.") % {"value": text}) from exc
        if not number.is_finite():
            raise BadValue(_("“%(value)s” is not a number.") % {"value": text})
        return number
    if kind == DataType.DATE:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return _date(_text(value))
    if kind == DataType.DATETIME:
        if isinstance(value, dt.datetime):
            return timezone.make_aware(value) if timezone.is_naive(value) else value
        if isinstance(value, dt.date):
            return timezone.make_aware(dt.datetime.combine(value, dt.time()))
        return _datetime(_text(value))
    if kind == DataType.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = _text(value).lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise BadValue(_("“%(value)s” is not yes or no (write 是 or 否).") % {"value": text})
    raise BadValue(_("Unknown data type “%(type)s”.") % {"type": kind})


def convert(value: Any, column: HubColumn) -> Any:
    """``value`` as the column's Python type; ``None`` for an empty cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _convert(value, column)


def as_text(value: Any) -> str:
    """The canonical text of a converted value: keys, digests and blind indexes use it."""
    if value.__class__ is str:  # most values: first, before the checks below
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text if text != "-0" else "0"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


_NONE_TYPE = type(None)


def texts_of(values: list[Any]) -> list[str]:
    """``as_text`` of every value of a column (``""`` for an empty one), without a Python
    call per value for the usual columns. May return ``values`` itself: do not change it."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        return values
    if kinds == {str, _NONE_TYPE}:
        return ["" if value is None else value for value in values]
    if kinds == {dt.date}:  # type(), not isinstance(): a datetime is not a date here
        return list(map(dt.date.isoformat, values))
    if kinds == {int}:
        return list(map(str, values))
    return list(map(as_text, values))


def to_db(value: Any, column: HubColumn, vendor: str) -> Any:
    """A converted value as the hub table keeps it (not for encrypted columns)."""
    if value is None or vendor == "postgresql":
        return value
    if column.data_type == DataType.BOOLEAN:
        return int(value)
    if column.data_type in (DataType.DECIMAL, DataType.DATE, DataType.DATETIME):
        return as_text(value)
    return value


def from_db(value: Any, column: HubColumn) -> Any:
    """A stored value (or a decrypted text) back as the column's Python type."""
    if value is None:
        return None
    kind = column.data_type
    if kind == DataType.STRING:
        return value if isinstance(value, str) else str(value)
    if kind == DataType.INTEGER:
        return int(value)
    if kind == DataType.DECIMAL:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    if kind == DataType.DATE:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    if kind == DataType.DATETIME:
        return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    if kind == DataType.BOOLEAN:
        return value if isinstance(value, bool) else value in (1, "1", "True", "true")
    return value
