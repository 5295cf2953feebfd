"""Reading a resource's rows: by key, by exact filters in keyset pages, or all in order.

This is the one way other apps read hub data. It returns plain values (decrypted, as
Python types) and applies no grant, masking or logging: the exchange API, the open-data
portal and quality runs each add what their readers are owed. A resource that has no hub
table yet simply has no rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils.translation import gettext as _

from yiwang.gmcrypto import core as gm

from .models import HubTable
from .schema import table_columns
from .store import key_of
from .values import BadValue, HubColumn, as_text, convert, from_db, to_db

if TYPE_CHECKING:
    from ..models import Resource


class UnknownColumn(ValueError):
    """A column the resource's hub table does not hold."""


def table_of(resource: Resource) -> HubTable | None:
    """The resource's hub table as it is now, or None."""
    table = HubTable.objects.filter(resource=resource).first()
    if table is not None:
        table.resource = resource  # its published columns come from the caller's resource
    return table


def count(resource: Resource) -> int:
    table = table_of(resource)
    return table.row_count if table else 0


def _pick(table: HubTable, names: list[str] | None) -> list[HubColumn]:
    columns = table_columns(table)
    if names is None:
        return columns
    by_name = {c.column: c for c in columns}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise UnknownColumn(
            _("The resource has no data item “%(column)s”.") % {"column": unknown[0]}
        )
    return [by_name[n] for n in names]


def _select_list(columns: list[HubColumn]) -> str:
    q = connection.ops.quote_name
    return ", ".join(["_id", *(q(c.column) for c in columns)])


def _row(record: tuple, columns: list[HubColumn], decrypt=gm.decrypt) -> dict[str, Any]:
    row: dict[str, Any] = {"_id": record[0]}
    for column, value in zip(columns, record[1:], strict=True):
        if column.encrypted and value is not None:
            value = decrypt(value)
        row[column.column] = from_db(value, column)
    return row


def lookup(
    resource: Resource,
    key: str,
    columns: list[str] | None = None,
    *,
    table: HubTable | None = None,
) -> dict | None:
    """The row whose key item equals ``key`` (its columns, or all), or None.

    ``table``: the resource's hub table when the caller fetched it with the resource
    (``select_related("hub_table")``), so a lookup is a single statement.
    Raises :class:`.values.BadValue` when ``key`` cannot be the key item's type.
    """
    if table is None:
        table = table_of(resource)
    else:
        table.resource = resource
    if table is None:
        return None
    picked = _pick(table, columns)
    key_column = _pick(table, [table.key_column])[0]
    value = convert(key, key_column)
    if value is None:
        raise BadValue(_("The key is empty."))
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_select_list(picked)} FROM {q(table.table_name)} WHERE _key = %s",
            [key_of(value, key_column)],
        )
        record = cursor.fetchone()
    return _row(record, picked) if record else None


def _where(table: HubTable, filters: dict[str, str]) -> tuple[list[str], list[Any]]:
    q = connection.ops.quote_name
    clauses: list[str] = []
    params: list[Any] = []
    for column in _pick(table, list(filters)):
        value = convert(filters[column.column], column)
        if value is None:
            clauses.append(f"{q(column.column)} IS NULL")
        elif column.column == table.key_column:  # indexed as _key (also when encrypted)
            clauses.append("_key = %s")
            params.append(key_of(value, column))
        elif column.encrypted:
            clauses.append(f"{q(column.blind_column)} = %s")
            params.append(gm.blind_index(as_text(value), column.blind_purpose))
        else:
            clauses.append(f"{q(column.column)} = %s")
            params.append(to_db(value, column, connection.vendor))
    return clauses, params


def page(
    resource: Resource,
    *,
    filters: dict[str, str] | None = None,
    columns: list[str] | None = None,
    after: int | None = None,
    limit: int = 50,
) -> tuple[list[dict], int | None]:
    """Rows matching every filter exactly, in ``_id`` order after ``after``.

    Returns the rows (each with ``_id``) and the cursor of the next page, or None at the end.
    Raises :class:`UnknownColumn` or :class:`.values.BadValue` for a filter that cannot apply.
    """
    table = table_of(resource)
    if table is None:
        return [], None
    picked = _pick(table, columns)
    clauses, params = _where(table, filters or {})
    if after is not None:
        clauses.append("_id > %s")
        params.append(after)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_select_list(picked)} FROM {q(table.table_name)}{where} "
            f"ORDER BY _id LIMIT %s",
            [*params, limit + 1],
        )
        records = cursor.fetchall()
    decrypt = gm.decrypter()
    rows = [_row(r, picked, decrypt) for r in records[:limit]]
    cursor_next = rows[-1]["_id"] if len(records) > limit else None
    return rows, cursor_next


def iterate(
    resource: Resource, columns: list[str] | None = None, *, batch: int = 5000
) -> Iterator[dict]:
    """Every row in ``_id`` order, read ``batch`` rows per statement."""
    after: int | None = None
    while True:
        rows, after = page(resource, columns=columns, after=after, limit=batch)
        yield from rows
        if after is None:
            return
