"""Writing rows into a hub table: an upsert by key that tells created, updated and unchanged.

Rows arrive converted (:func:`.values.convert`) and with distinct keys; ingestion has already
reported the rows it could not read. A batch is written in one transaction with the table's
``HubTable`` row locked, so two imports of one resource never interleave and ``row_count``
stays exact. New rows go in with PostgreSQL's ``COPY`` (``executemany`` on SQLite); changed
rows are updated; rows whose keyed digest is the same are left alone. A new row's stored
values (encryption included) are made while its ``COPY`` runs, so the database takes in one
row while the next is encrypted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from yiwang.gmcrypto import core as gm

from ..choices import DataType
from .models import HubTable
from .values import HubColumn, as_text, to_db

#: Keys looked up per statement when sorting a batch into new and changed rows.
LOOKUP_CHUNK = 5000
#: A load into a table of at most this many rows reads their keys once, not per batch.
HELD_KEYS_MAX = 100_000


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

    def existing(self, locked: HubTable, cursor, keys: list[str]) -> dict[str, str]:
        if self.row_count < 0:  # the first batch
            if locked.row_count <= HELD_KEYS_MAX:
                self.held = _all_keys(cursor, locked.table_name)
        elif locked.row_count != self.row_count or locked.written_at != self.written_at:
            self.held = None
        if self.held is None:
            return _existing(cursor, locked.table_name, keys)
        held = self.held
        return {key: held[key] for key in keys if key in held}

    def wrote(self, row_count: int, written_at: dt.datetime) -> None:
        self.row_count, self.written_at = row_count, written_at


@lru_cache(maxsize=4)
def _digest_key(blind_key: bytes) -> bytes:
    return hashlib.blake2b(blind_key, digest_size=32, person=b"yiwang-hub").digest()


def row_digest(key: bytes, values: Sequence[str]) -> str:
    """A keyed hash of a row's canonical texts: equal rows, equal digests; reveals nothing.

    ``key`` is ``digest_key()``."""
    return hashlib.blake2b("\x1f".join(values).encode(), key=key, digest_size=16).hexdigest()


def digest_key() -> bytes:
    return _digest_key(gm.blind_index_key())


def key_of(value: Any, column: HubColumn) -> str:
    """What ``_key`` holds for a key value: its text, or its blind index when encrypted."""
    text = as_text(value)
    return gm.blind_index(text, column.blind_purpose) if column.encrypted else text


# Types whose canonical text (``as_text``) PostgreSQL reads back as the same value: a COPY
# sends them as that text, the cheapest value for the client to write.
_TEXT_ON_POSTGRESQL = frozenset({DataType.STRING, DataType.INTEGER, DataType.DATE})
_TEXT, _TO_DB, _ENCRYPTED = range(3)


class _Writer:
    """Turns converted rows (values in the order of ``columns``) into stored tuples; the
    keys are looked up once per batch."""

    def __init__(self, columns: list[HubColumn], key_column: HubColumn, vendor: str):
        self.columns = columns
        self.vendor = vendor
        self.key_index = columns.index(key_column)
        self.key_encrypted = key_column.encrypted
        self.encrypt = gm.encrypter()
        self.digest_key = digest_key()
        self.indexers = {
            i: gm.blind_indexer(c.blind_purpose) for i, c in enumerate(columns) if c.encrypted
        }
        self.plan = [
            _ENCRYPTED
            if c.encrypted
            else _TEXT
            if vendor == "postgresql" and c.data_type in _TEXT_ON_POSTGRESQL
            else _TO_DB
            for c in columns
        ]

    def identify(self, values: list[Any]) -> tuple[str, str, list[str]]:
        """(``_key``, ``_digest``, canonical texts) of a row: all an unchanged row costs."""
        texts = [v if v.__class__ is str else as_text(v) for v in values]
        key = texts[self.key_index]
        if self.key_encrypted:
            key = self.indexers[self.key_index](key)
        return key, row_digest(self.digest_key, texts), texts

    def stored(self, key: str, digest: str, written_at: str, values: list, texts: list[str]):
        """The values a new or changed row is written with (encrypted where it must be), in
        the order of the bookkeeping columns and ``_db_columns``."""
        stored: list[Any] = [key, digest, written_at]
        for index, how in enumerate(self.plan):
            value = values[index]
            if value is None:
                stored.append(None)
                if how == _ENCRYPTED:
                    stored.append(None)
            elif how == _TEXT:
                stored.append(texts[index])
            elif how == _TO_DB:
                stored.append(to_db(value, self.columns[index], self.vendor))
            elif index == self.key_index:  # its blind index is the key: made once
                stored.extend((self.encrypt(texts[index]), key))
            else:
                text = texts[index]
                stored.extend((self.encrypt(text), self.indexers[index](text)))
        return stored


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


def _insert(cursor, table: str, names: list[str], rows: Iterable[list[Any]]) -> None:
    q = connection.ops.quote_name
    columns = ", ".join(q(n) for n in names)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {q(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(names))
    cursor.executemany(f"INSERT INTO {q(table)} ({columns}) VALUES ({marks})", rows)


def _update(cursor, table: str, names: list[str], rows: list[list[Any]]) -> None:
    q = connection.ops.quote_name
    # The first name is _key: the others are set, the key finds the row.
    sets = ", ".join(f"{q(n)} = %s" for n in names[1:])
    cursor.executemany(
        f"UPDATE {q(table)} SET {sets} WHERE _key = %s", [row[1:] + row[:1] for row in rows]
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
    names = [c.column for c in columns]
    return write_values(table, columns, [[row.get(n) for n in names] for row in rows], load=load)


def write_values(
    table: HubTable,
    columns: list[HubColumn],
    rows: list[list[Any]],
    *,
    load: Load | None = None,
) -> WriteResult:
    """``write_rows`` for rows given as lists of values in the order of ``columns``."""
    vendor = connection.vendor
    key_column = next(c for c in columns if c.column == table.key_column)
    key_index = columns.index(key_column)
    writer = _Writer(columns, key_column, vendor)
    now = timezone.now()
    written_at = now.isoformat()
    prepared = []
    for row in rows:
        if row[key_index] is None:
            raise ValueError("a row without its key reached the hub table")
        prepared.append((*writer.identify(row), row))
    keys = [p[0] for p in prepared]
    if len(set(keys)) != len(keys):
        raise ValueError("rows with the same key reached the hub table")
    result = WriteResult()
    names = ["_key", "_digest", "_written_at", *_db_columns(columns)]
    with transaction.atomic(), connection.cursor() as cursor:
        locked = HubTable.objects.select_for_update().get(pk=table.pk)
        if load is not None:
            existing = load.existing(locked, cursor, keys)
        else:
            existing = _existing(cursor, table.table_name, keys)
        new, changed = [], []
        for key, digest, texts, row in prepared:
            held = existing.get(key)
            if held == digest:
                result.unchanged += 1
            elif held is None:
                new.append((key, digest, row, texts))
            else:
                changed.append(writer.stored(key, digest, written_at, row, texts))
                if not key_column.encrypted:
                    result.updated_keys.append(key)
        if new:
            # A generator: each row is encrypted while the COPY of the ones before it runs.
            stored = (writer.stored(k, d, written_at, row, texts) for k, d, row, texts in new)
            _insert(cursor, table.table_name, names, stored)
        if changed:
            _update(cursor, table.table_name, names, changed)
        result.created, result.updated = len(new), len(changed)
        row_count = locked.row_count + len(new)
        HubTable.objects.filter(pk=table.pk).update(
            row_count=row_count, written_at=now, updated_at=now
        )
        if load is not None:
            load.wrote(row_count, now)
    table.row_count = row_count
    return result
