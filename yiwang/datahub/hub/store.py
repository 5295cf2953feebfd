"""Writing rows into a hub table: an upsert by key that tells created, updated and unchanged.

Rows arrive converted (:func:`.values.convert`) and with distinct keys; ingestion has already
reported the rows it could not read. A batch is written in one transaction with the table's
``HubTable`` row locked, so two imports of one resource never interleave and ``row_count``
stays exact. New rows go in with PostgreSQL's ``COPY`` (``executemany`` on SQLite); changed
rows are updated; rows whose keyed digest is the same are left alone. A new row's stored
values (encryption included) are made a chunk at a time while the ``COPY`` runs, so the
database takes in one chunk while the next is encrypted. Values are handled column by column
(``write_chunks``): a Python call per value only where a value needs one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from yiwang.gmcrypto import core as gm

from ..choices import DataType
from .models import HubTable
from .values import HubColumn, as_text, texts_of, to_db

#: Keys looked up per statement when sorting a batch into new and changed rows.
LOOKUP_CHUNK = 5000
#: A load into a table of at most this many rows reads their keys once, not per batch.
HELD_KEYS_MAX = 100_000
#: New rows made and sent to ``COPY`` at a time.
COPY_CHUNK = 1000


@dataclass
class WriteResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: Keys (canonical text, never a personal value) of the rows updated, for the report.
    updated_keys: list[str] = field(default_factory=list)

    def add(self, other: WriteResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.updated_keys.extend(other.updated_keys)


@dataclass
class Load:
    """What a load written in several batches (with keys distinct across all of them) knows
    of its table between batches.

    ``held``: ``_key`` → ``_digest`` of the rows the table held when the load began, read in
    the first batch (when there are at most ``HELD_KEYS_MAX``); None when not known. A later
    batch uses it instead of looking its keys up only when, under the table's lock, the
    table is as the load's previous batch left it (same row count, same last write): then
    no key of the batch can be anywhere else. After another writer's batch the keys are
    looked up again, for the rest of the load.
    """

    held: dict[str, str] | None = None
    row_count: int = -1
    written_at: dt.datetime | None = None

    def known(self, locked: HubTable, cursor) -> dict[str, str] | None:
        """``held`` when it still tells every row of the table (under the lock), else None."""
        if self.row_count < 0:  # the first batch
            if locked.row_count <= HELD_KEYS_MAX:
                self.held = _all_keys(cursor, locked.table_name)
        elif locked.row_count != self.row_count or locked.written_at != self.written_at:
            self.held = None
        return self.held

    def wrote(self, row_count: int, written_at: dt.datetime | None) -> None:
        self.row_count, self.written_at = row_count, written_at


@lru_cache(maxsize=4)
def _digest_key(blind_key: bytes) -> bytes:
    return hashlib.blake2b(blind_key, digest_size=32, person=b"yiwang-hub").digest()


def digest_key() -> bytes:
    return _digest_key(gm.blind_index_key())


def key_of(value: Any, column: HubColumn) -> str:
    """What ``_key`` holds for a key value: its text, or its blind index when encrypted."""
    text = as_text(value)
    return gm.blind_index(text, column.blind_purpose) if column.encrypted else text


_COPY_SPECIAL = ("\\", "\t", "\n", "\r")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})

#: Rows given column by column: ``chunk[i]`` holds the values of ``columns[i]``, one per row.
Chunk = list[list[Any]]


def _take(values: list[Any], rows: range | list[int]) -> list[Any]:
    if isinstance(rows, range):
        return values[rows.start : rows.stop]
    return [values[i] for i in rows]


@dataclass
class _Rows:
    """A chunk's converted values with their canonical texts and ``_key``s."""

    data: Chunk
    texts: list[list[str]]
    keys: list[str]

    def take(self, rows: range | list[int]) -> _Rows:
        return _Rows(
            [_take(values, rows) for values in self.data],
            [_take(texts, rows) for texts in self.texts],
            _take(self.keys, rows),
        )


class _Writer:
    """Turns converted columns into stored ones, column by column: a Python call per value
    only where a value needs one (encryption, blind indexes, digests).

    On PostgreSQL every value is stored as its canonical text (``as_text``), which the
    database reads back as the same value of the column's type, in ``COPY`` and in an
    ``UPDATE``'s parameters alike; on SQLite as ``to_db`` keeps it.
    """

    def __init__(self, columns: list[HubColumn], key_column: HubColumn, vendor: str):
        self.columns = columns
        self.vendor = vendor
        self.key_index = columns.index(key_column)
        self.key_column = key_column
        self.digest_state = hashlib.blake2b(key=digest_key(), digest_size=16)
        self.seen: set[str] = set()
        # Stored columns that may hold a tab, a line break or a backslash (COPY escapes them).
        self.free_text: set[int] = set()
        if not key_column.encrypted and key_column.data_type == DataType.STRING:
            self.free_text.add(0)  # _key
        position = 3  # after _key, _digest, _written_at
        for column in columns:
            if not column.encrypted and column.data_type == DataType.STRING:
                self.free_text.add(position)
            position += 2 if column.encrypted else 1

    def rows(self, data: Chunk) -> _Rows:
        """The chunk with its texts and keys; refuses an empty or repeated key (the caller
        reports those rows, see ``ingestion.batches``)."""
        if len(data) != len(self.columns) or len({len(values) for values in data}) > 1:
            raise ValueError("a chunk's columns do not match the table's or hold unequal rows")
        if None in data[self.key_index]:
            raise ValueError("a row without its key reached the hub table")
        texts = [texts_of(values) for values in data]
        keys = texts[self.key_index]
        if self.key_column.encrypted:
            keys = gm.blind_indexes(keys, self.key_column.blind_purpose)
        distinct = set(keys)
        if len(distinct) != len(keys) or not self.seen.isdisjoint(distinct):
            raise ValueError("rows with the same key reached the hub table")
        self.seen |= distinct
        return _Rows(data, texts, keys)

    def digests(self, texts: list[list[str]]) -> list[str]:
        """``_digest`` of each row: a keyed hash of its canonical texts (equal rows, equal
        digests; it reveals nothing), by which an unchanged row is left alone."""
        state, digests = self.digest_state, []
        for joined in map("\x1f".join, zip(*texts, strict=True)):
            h = state.copy()
            h.update(joined.encode())
            digests.append(h.hexdigest())
        return digests

    def stored(self, rows: _Rows, written_at: str) -> Chunk:
        """The stored columns of these rows, in the order of the bookkeeping columns and
        ``_db_columns``."""
        keys = rows.keys
        stored: Chunk = [keys, self.digests(rows.texts), [written_at] * len(keys)]
        for index, column in enumerate(self.columns):
            values, texts = rows.data[index], rows.texts[index]
            if column.encrypted and index == self.key_index:
                stored.extend((gm.encrypt_many(texts), keys))  # the blind index is the key
            elif column.encrypted and None not in values:
                purpose = column.blind_purpose
                stored.extend((gm.encrypt_many(texts), gm.blind_indexes(texts, purpose)))
            elif column.encrypted:
                present = [t for v, t in zip(values, texts, strict=True) if v is not None]
                sealed = iter(gm.encrypt_many(present))
                indexed = iter(gm.blind_indexes(present, column.blind_purpose))
                stored.append([None if v is None else next(sealed) for v in values])
                stored.append([None if v is None else next(indexed) for v in values])
            elif self.vendor != "postgresql":
                stored.append([to_db(v, column, self.vendor) for v in values])
            elif None in values:
                stored.append(
                    [None if v is None else t for v, t in zip(values, texts, strict=True)]
                )
            else:
                stored.append(texts)
        return stored

    def copy_text(self, stored: Chunk) -> bytes:
        """Rows in ``COPY``'s text format, built column by column: a free text with a
        backslash, tab or line break is escaped, an empty value is ``\\N``."""
        columns = []
        for position, values in enumerate(stored):
            if position in self.free_text:
                joined = "".join(v for v in values if v is not None)
                if any(special in joined for special in _COPY_SPECIAL):
                    values = [v if v is None else v.translate(_COPY_ESCAPES) for v in values]
            if None in values:
                values = ["\\N" if v is None else v for v in values]
            columns.append(values)
        return ("\n".join(map("\t".join, zip(*columns, strict=True))) + "\n").encode()


def _db_columns(columns: list[HubColumn]) -> list[str]:
    names = []
    for column in columns:
        names.append(column.column)
        if column.encrypted:
            names.append(column.blind_column)
    return names


def _all_keys(cursor, table: str) -> dict[str, str]:
    q = connection.ops.quote_name
    cursor.execute(f"SELECT _key, _digest FROM {q(table)}")
    return dict(cursor.fetchall())


def _existing(cursor, table: str, keys: list[str]) -> dict[str, str]:
    q = connection.ops.quote_name
    found: dict[str, str] = {}
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start : start + LOOKUP_CHUNK]
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT _key, _digest FROM {q(table)} WHERE _key = ANY(%s)", [chunk])
        else:
            marks = ",".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT _key, _digest FROM {q(table)} WHERE _key IN ({marks})", chunk)
        found.update(cursor.fetchall())
    return found


def _insert(cursor, table: str, names: list[str], writer: _Writer, chunks: Iterator[Chunk]) -> None:
    """``chunks``: stored columns of some rows at a time. On PostgreSQL each chunk is sent
    to ``COPY`` as it is made, so the database takes in one while the next is made."""
    first = next(chunks, None)
    if first is None:
        return
    chunks = chain([first], chunks)
    q = connection.ops.quote_name
    columns = ", ".join(q(n) for n in names)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {q(table)} ({columns}) FROM STDIN") as copy:
            for stored in chunks:
                copy.write(writer.copy_text(stored))
        return
    marks = ", ".join(["%s"] * len(names))
    rows = (row for stored in chunks for row in zip(*stored, strict=True))
    cursor.executemany(f"INSERT INTO {q(table)} ({columns}) VALUES ({marks})", rows)


def _update(cursor, table: str, names: list[str], stored: Chunk) -> None:
    q = connection.ops.quote_name
    # The first name is _key: the others are set, the key finds the row.
    sets = ", ".join(f"{q(n)} = %s" for n in names[1:])
    cursor.executemany(
        f"UPDATE {q(table)} SET {sets} WHERE _key = %s",
        [row[1:] + row[:1] for row in zip(*stored, strict=True)],
    )


def write_rows(
    table: HubTable,
    columns: list[HubColumn],
    rows: Iterable[dict],
    *,
    load: Load | None = None,
) -> WriteResult:
    """Upsert ``rows`` (converted values by column; distinct, non-empty keys) into ``table``.

    ``columns`` are the table's columns to write (``schema.table_columns``); a column left
    out of a row is written as empty.

    ``load``: the same ``Load`` for every batch of a load whose keys are distinct across
    its batches. A first load into an empty or small table then never reads it back.
    """
    rows = list(rows)
    chunk = [[row.get(c.column) for row in rows] for c in columns]
    return write_chunks(table, columns, [chunk], load=load)


def write_chunks(
    table: HubTable,
    columns: list[HubColumn],
    chunks: Iterable[Chunk],
    *,
    load: Load | None = None,
) -> WriteResult:
    """``write_rows`` for rows given column by column (see ``Chunk``), in chunks made as
    they are taken: in one transaction, with the table locked.

    When ``load`` knows every key the table holds, each chunk is taken, sorted and sent to
    ``COPY`` in turn, so the database writes one chunk while the next is made (read,
    converted, checked, encrypted); otherwise all are taken first and their keys looked up.
    A chunk repeating a key of the batch raises ValueError, and nothing of it is written.
    """
    vendor = connection.vendor
    key_column = next(c for c in columns if c.column == table.key_column)
    writer = _Writer(columns, key_column, vendor)
    now = timezone.now()
    written_at = now.isoformat()
    names = ["_key", "_digest", "_written_at", *_db_columns(columns)]
    result = WriteResult()
    changed: list[Chunk] = []

    def sorted_out(rows: _Rows, existing: dict[str, str]) -> Iterator[Chunk]:
        """The stored columns of the new rows, COPY_CHUNK at a time; the changed ones are
        kept for an UPDATE, the unchanged ones counted."""
        new: range | list[int] = range(len(rows.keys))
        if existing:
            held = [i for i, key in enumerate(rows.keys) if key in existing]
            digests = writer.digests(rows.take(held).texts)
            again = [i for i, d in zip(held, digests, strict=True) if existing[rows.keys[i]] != d]
            result.unchanged += len(held) - len(again)
            if again:
                changed.append(writer.stored(rows.take(again), written_at))
                result.updated += len(again)
                if not key_column.encrypted:
                    result.updated_keys.extend(rows.keys[i] for i in again)
            new = [i for i, key in enumerate(rows.keys) if key not in existing]
        result.created += len(new)
        for start in range(0, len(new), COPY_CHUNK):
            yield writer.stored(rows.take(new[start : start + COPY_CHUNK]), written_at)

    with transaction.atomic(), connection.cursor() as cursor:
        locked = HubTable.objects.select_for_update().get(pk=table.pk)
        known = load.known(locked, cursor) if load is not None else None
        stored: Iterator[Chunk]
        if known is not None:
            stored = (s for chunk in chunks for s in sorted_out(writer.rows(chunk), known))
        else:
            rows = writer.rows(_joined(list(chunks), len(columns)))
            existing = _existing(cursor, table.table_name, rows.keys)
            stored = sorted_out(rows, existing)
        _insert(cursor, table.table_name, names, writer, stored)
        for chunk in changed:
            _update(cursor, table.table_name, names, chunk)
        row_count, written = locked.row_count + result.created, locked.written_at
        if result.created or result.updated:
            written = now
            HubTable.objects.filter(pk=table.pk).update(
                row_count=row_count, written_at=now, updated_at=now
            )
        if load is not None:
            load.wrote(row_count, written)
    table.row_count = row_count
    return result


def _joined(chunks: list[Chunk], width: int) -> Chunk:
    if len(chunks) == 1:
        return chunks[0]
    return [[value for chunk in chunks for value in chunk[i]] for i in range(width)]
