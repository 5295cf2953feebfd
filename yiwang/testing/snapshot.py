"""A copy of the whole test database, and of the files beside it, taken once and put back cheaply.

Fixtures that build the same heavy data set in many tests (the demo county of the browser
journeys takes 5-15 s to load through the actions) build it once, take a snapshot, and restore
it before each later test. A restore puts back exactly the rows, the primary-key counters (so a
restored row has the same pk, and the next insert the same next pk), the tables created at run
time (the data hub's ``hub_r<code>`` tables) and the files.

* SQLite (the test database lives in memory): ``sqlite3.Connection.backup`` copies every page
  to a private in-memory database and back: schema, rows and ``sqlite_sequence``.
* PostgreSQL: each table's rows are copied into a schema of their own in the test database
  (outside the search path, so Django's flush and introspection never see it); a restore drops
  the tables created since, truncates those holding rows, copies the rows back and sets every
  sequence to its saved value, in one transaction. Django's foreign keys are deferred, so the
  order of the copies does not matter. A table dropped or altered since (a test emptying a hub
  table) cannot be put back from rows alone: ``fits`` says so, and ``Reusable`` builds again.

Django's flush empties the models' tables only: tables created at run time outlive it, with
their rows. ``remember_migrated_tables`` (called once the test database is migrated) and
``drop_tables_since_migrate`` let fixtures put the schema back as migrations left it.

Only tests use this (through fixtures); it refuses to run against a database whose name does
not start with ``test_``.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

__all__ = [
    "Reusable",
    "Snapshot",
    "drop_tables_since_migrate",
    "remember_migrated_tables",
]

#: The PostgreSQL schema holding the copied rows (in the test database only).
SCHEMA = "yiwang_test_snapshot"
#: Rows no test changes (and that Django's flush leaves alone).
SKIPPED_TABLES = frozenset({"django_migrations"})
#: Database alias → the tables the migrations created (see ``remember_migrated_tables``).
MIGRATED_TABLES: dict[str, frozenset[str]] = {}


def _refuse_real_database(connection: BaseDatabaseWrapper) -> None:
    """Snapshots truncate and drop tables: only ever in a test database."""
    name = str(connection.settings_dict["NAME"])
    # is_in_memory_db: SQLite's wrapper only.
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]
    if not (in_memory or Path(name).name.startswith("test_")):
        raise RuntimeError(f"refusing to snapshot a database that is not a test database: {name}")


def _tables(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def remember_migrated_tables(using: str = DEFAULT_DB_ALIAS) -> None:
    """Note the tables of the freshly migrated test database (call it once, at set-up)."""
    MIGRATED_TABLES[using] = frozenset(_tables(connections[using]))


def drop_tables_since_migrate(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Drop the tables created after the migrations (which Django's flush leaves, with their
    rows) and return their names."""
    connection = connections[using]
    _refuse_real_database(connection)
    if using not in MIGRATED_TABLES:
        raise RuntimeError("remember_migrated_tables() was not called after the migrations")
    extra = sorted(_tables(connection) - MIGRATED_TABLES[using])
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for table in extra:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}")
    return extra


# --- SQLite -------------------------------------------------------------------------------------


class _SQLiteRows:
    def __init__(self, connection: BaseDatabaseWrapper):
        connection.ensure_connection()
        self.copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(self.copy)

    def fits(self, connection: BaseDatabaseWrapper) -> bool:
        return True  # the backup carries the schema too

    def restore(self, connection: BaseDatabaseWrapper) -> None:
        connection.ensure_connection()
        self.copy.backup(connection.connection)

    def discard(self, connection: BaseDatabaseWrapper) -> None:
        self.copy.close()


# --- PostgreSQL ---------------------------------------------------------------------------------

_COLUMNS = (
    "SELECT table_name, column_name FROM information_schema.columns"
    " WHERE table_schema = current_schema() AND is_generated = 'NEVER'"
    " ORDER BY table_name, ordinal_position"
)
# The sequences behind identity and serial columns, found by their column (as
# pg_get_serial_sequence finds them): a table a test dropped and made again has new ones.
_SEQUENCES = (
    "SELECT t.relname, a.attname, quote_ident(s.relname) FROM pg_class s"
    " JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid"
    "  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')"
    " JOIN pg_class t ON t.oid = d.refobjid"
    " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid"
    " WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace"
)


def _columns(connection: BaseDatabaseWrapper) -> dict[str, list[str]]:
    qn = connection.ops.quote_name
    columns: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_COLUMNS)
        for table, column in cursor.fetchall():
            columns.setdefault(table, []).append(qn(column))
    tables = _tables(connection) - SKIPPED_TABLES
    return {table: cols for table, cols in columns.items() if table in tables}


@dataclass
class _PostgresRows:
    #: table → its columns (quoted, generated columns left out), for every table.
    columns: dict[str, list[str]] = field(default_factory=dict)
    #: the tables that had rows.
    filled: list[str] = field(default_factory=list)
    #: (table, column) → (last value, is_called), as ``setval`` takes them.
    sequences: dict[tuple[str, str], tuple[int, bool]] = field(default_factory=dict)

    @classmethod
    def take(cls, connection: BaseDatabaseWrapper) -> _PostgresRows:
        qn = connection.ops.quote_name
        rows = cls()
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {qn(SCHEMA)} CASCADE")
            cursor.execute(f"CREATE SCHEMA {qn(SCHEMA)}")
            rows.columns = _columns(connection)
            for table, columns in rows.columns.items():
                # Names from the database's own catalogue, quoted (here and below).
                source = f"SELECT {', '.join(columns)} FROM {qn(table)}"  # noqa: S608
                cursor.execute(f"CREATE TABLE {qn(SCHEMA)}.{qn(table)} AS {source}")
                if cursor.rowcount:
                    rows.filled.append(table)
            cursor.execute(_SEQUENCES)
            found = cursor.fetchall()
            if found:
                read = " UNION ALL ".join(
                    f"SELECT {i}, last_value, is_called FROM {seq}"  # noqa: S608
                    for i, (_table, _column, seq) in enumerate(found)
                )
                cursor.execute(read)
                rows.sequences = {
                    (found[i][0], found[i][1]): (value, called) for i, value, called in cursor
                }
        return rows

    def fits(self, connection: BaseDatabaseWrapper) -> bool:
        """Every table of the snapshot is there with the same columns (tables added since do
        not matter: ``restore`` drops them)."""
        now = _columns(connection)
        return all(now.get(table) == columns for table, columns in self.columns.items())

    def restore(self, connection: BaseDatabaseWrapper) -> None:
        qn = connection.ops.quote_name
        tables = list(self.columns)
        added = sorted(_tables(connection) - SKIPPED_TABLES - set(tables))
        # Only the tables holding rows are truncated: truncating one costs a few milliseconds
        # (new files), and after Django's flush most are empty.
        holding = " UNION ALL ".join(
            f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {qn(table)})"  # noqa: S608
            for i, table in enumerate(tables)
        )
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for table in added:
                cursor.execute(f"DROP TABLE IF EXISTS {qn(table)} CASCADE")
            cursor.execute(holding)
            statements = []
            if rows := [tables[i] for (i,) in cursor.fetchall()]:
                statements.append(f"TRUNCATE {', '.join(qn(t) for t in rows)} CASCADE")
            for table in self.filled:
                listed = ", ".join(self.columns[table])
                statements.append(
                    f"INSERT INTO {qn(table)} ({listed}) OVERRIDING SYSTEM VALUE"  # noqa: S608
                    f" SELECT {listed} FROM {qn(SCHEMA)}.{qn(table)}"
                )
            if statements:
                cursor.execute("; ".join(statements))
            if self.sequences:
                params: list[str | int | bool] = []
                for (table, column), (value, called) in self.sequences.items():
                    params += [qn(table), column, value, called]
                call = "setval(pg_get_serial_sequence(%s, %s), %s, %s)"
                cursor.execute(f"SELECT {', '.join([call] * len(self.sequences))}", params)

    def discard(self, connection: BaseDatabaseWrapper) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {connection.ops.quote_name(SCHEMA)} CASCADE")


# --- both ---------------------------------------------------------------------------------------


class Snapshot:
    """The database's tables, rows and counters, and copies of the given files and folders.

    Taken when the data set is built; ``restore`` puts the rows back and copies the files to
    the paths given then (a test's own ``tmp_path``, say); ``discard`` frees the copy.
    """

    def __init__(self, connection: BaseDatabaseWrapper, store: Path, files: dict[str, Path]):
        _refuse_real_database(connection)
        if connection.in_atomic_block:
            # A snapshot of rows a test will roll back would outlive them.
            raise RuntimeError("take snapshots outside transactions (transactional_db)")
        self.rows: _SQLiteRows | _PostgresRows
        if connection.vendor == "sqlite":
            self.rows = _SQLiteRows(connection)
        elif connection.vendor == "postgresql":
            self.rows = _PostgresRows.take(connection)
        else:
            raise NotImplementedError(f"no snapshots on {connection.vendor}")
        self.store = store
        store.mkdir(parents=True, exist_ok=True)
        self.files: dict[str, Path] = {}
        for name, path in files.items():
            copy = store / name
            if path.is_dir():
                shutil.copytree(path, copy)
            elif path.exists():
                shutil.copy2(path, copy)
            else:
                continue
            self.files[name] = copy

    def fits(self, connection: BaseDatabaseWrapper) -> bool:
        """Whether ``restore`` can put the snapshot back (no table of it dropped or altered)."""
        return self.rows.fits(connection)

    def restore(self, connection: BaseDatabaseWrapper, files: dict[str, Path]) -> None:
        """Put the rows back and copy the files saved under each name to ``files[name]``
        (a test's own directory: files that were not there when the snapshot was taken are
        not removed)."""
        _refuse_real_database(connection)
        if connection.in_atomic_block:
            raise RuntimeError("restore snapshots outside transactions (transactional_db)")
        self.rows.restore(connection)
        for name, copy in self.files.items():
            target = files[name]
            target.parent.mkdir(parents=True, exist_ok=True)
            if copy.is_dir():
                shutil.copytree(copy, target, dirs_exist_ok=True)
            else:
                shutil.copy2(copy, target)

    def discard(self, connection: BaseDatabaseWrapper) -> None:
        self.rows.discard(connection)
        shutil.rmtree(self.store, ignore_errors=True)


class Reusable:
    """A data set built by ``build`` in the first test that asks for it, restored in the next.

    It is built again when the day changes (the data has dates relative to today: deadlines,
    ticket numbers), so that a restored data set never differs from a fresh one by more than
    the time since it was built; and when a test dropped or altered a table of the snapshot.
    """

    def __init__(self, build: Callable[[], object], store: Path, using: str = DEFAULT_DB_ALIAS):
        self.build, self.store, self.using = build, store, using
        self.snapshot: Snapshot | None = None
        self.day: date | None = None
        self.builds = 0

    def apply(self, files: dict[str, Path]) -> None:
        """Give the test database (and ``files``) the data set: restored, or built and saved."""
        connection = connections[self.using]
        snapshot = self.snapshot
        if snapshot is not None and self.day == timezone.localdate() and snapshot.fits(connection):
            snapshot.restore(connection, files)
            return
        self.discard()
        self.build()
        self.builds += 1
        self.day = timezone.localdate()
        self.snapshot = Snapshot(connection, self.store / str(self.builds), files)

    def discard(self) -> None:
        if self.snapshot is not None:
            self.snapshot.discard(connections[self.using])
            self.snapshot = None
