"""Appending to the evidence log: one entry per exchange call, per-partition chains.

A partition is (credential, Beijing-time day). Appending locks that partition's head row
only — from the statement that reads it to the end of the short transaction that writes the
entry — so two clients never wait on each other, and one client's calls wait only on their
own previous call's few statements. The head is created-or-locked and read in one statement
(``INSERT … ON CONFLICT DO UPDATE … RETURNING``, SQLite ≥ 3.35 and PostgreSQL alike); on
PostgreSQL the entry, the persons it read and the new head then go in one more round trip,
as in the audit chain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Sum

from yiwang.gmcrypto.core import audit_key
from yiwang.workdays.calendar import local_date

from .chain import GENESIS, link_hash
from .models import EvidenceEntry, EvidenceHead, EvidenceSubject

_HEAD = EvidenceHead._meta.db_table
_ENTRY = EvidenceEntry._meta.db_table

_LOCK_HEAD = (
    f"INSERT INTO {_HEAD} (credential_id, day, seq, hash, checkpointed_seq)"  # noqa: S608 (table names from the models)
    " VALUES (%s, %s, 0, %s, 0)"
    f" ON CONFLICT (credential_id, day) DO UPDATE SET seq = {_HEAD}.seq"
    " RETURNING id, seq, hash"
)
_MOVE_HEAD = f"UPDATE {_HEAD} SET seq = %s, hash = %s WHERE id = %s"  # noqa: S608
_ENTRY_FIELDS = [f for f in EvidenceEntry._meta.concrete_fields if not f.primary_key]
_ENTRY_COLUMNS = [str(f.column) for f in _ENTRY_FIELDS]
_SUBJECT = EvidenceSubject._meta.db_table
# The entry, the persons it read and the new head in one round trip (the head stays locked
# from the statement that read it until COMMIT, so the fewer trips the shorter the wait).
_PG_APPEND = (
    f"WITH entry AS (INSERT INTO {_ENTRY} ({', '.join(_ENTRY_COLUMNS)})"  # noqa: S608
    f" VALUES ({', '.join(['%s'] * len(_ENTRY_FIELDS))}) RETURNING id),"
    f" people AS (INSERT INTO {_SUBJECT} (entry_id, subject_index, at)"
    " SELECT entry.id, person, %s FROM entry, unnest(%s::text[]) AS person)"
    f" UPDATE {_HEAD} SET seq = %s, hash = %s FROM entry WHERE {_HEAD}.id = %s"
    " RETURNING entry.id"
)


def _lock_head(credential_id: int, day: dt.date) -> tuple[int, int, str]:
    """(head id, seq, hash) of the partition, its row locked until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute(
            _LOCK_HEAD, [credential_id, connection.ops.adapt_datefield_value(day), GENESIS]
        )
        head_id, seq, head_hash = cursor.fetchone()
    return head_id, seq, head_hash


def _insert(entry: EvidenceEntry, people: list[str], head_id: int) -> None:
    if connection.vendor != "postgresql":
        entry.save()
        if people:
            EvidenceSubject.objects.bulk_create(
                [EvidenceSubject(entry=entry, subject_index=s, at=entry.at) for s in people]
            )
        with connection.cursor() as cursor:
            cursor.execute(_MOVE_HEAD, [entry.seq, entry.hash, head_id])
        return
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in _ENTRY_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(_PG_APPEND, [*values, entry.at, people, entry.seq, entry.hash, head_id])
        entry.pk = cursor.fetchone()[0]
    entry._state.adding, entry._state.db = False, connection.alias


def append(entry: EvidenceEntry, subjects: Iterable[str] = ()) -> EvidenceEntry:
    """Chain ``entry`` (unsaved, ``at`` set, everything but the partition's fields) onto its
    partition and store it with the persons it read. Commits on its own (an outer
    transaction, if any, carries it)."""
    key = audit_key()
    people = sorted(set(subjects))
    entry.at = entry.at.astimezone(dt.UTC)
    entry.day = local_date(entry.at)
    with transaction.atomic():
        head_id, seq, head_hash = _lock_head(entry.credential_id, entry.day)
        entry.seq, entry.prev_hash = seq + 1, head_hash
        entry.hash = link_hash(entry, people, key)
        _insert(entry, people, head_id)
    return entry


def rows_delivered(grant_id: int, day: dt.date) -> int:
    """Rows the grant's consumers received on ``day`` (what the quota counts), from the log."""
    total = EvidenceEntry.objects.filter(grant_id=grant_id, day=day, outcome="ok").aggregate(
        n=Sum("row_count")
    )["n"]
    return int(total or 0)
