# ruff: noqa: S608  (the tests tamper with the evidence tables by SQL, as an attacker would)
"""The evidence log: per-partition chains under the audit key, signed checkpoints, and every
kind of tampering done with SQL found by the verification."""

from __future__ import annotations

import itertools
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from yiwang.exchange import actions, chain, checkpoints, verification
from yiwang.exchange.models import (
    AppendOnlyError,
    EvidenceEntry,
    EvidenceHead,
    EvidenceSubject,
)
from yiwang.gmcrypto.core import hmac_sm3_hex

from .conftest import rows_url

pytestmark = pytest.mark.django_db

ENTRY = EvidenceEntry._meta.db_table
HEAD = EvidenceHead._meta.db_table
SUBJECT = EvidenceSubject._meta.db_table


def sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def calls(api, licences):
    """Five calls of one client: lookups and pages."""

    def make(n: int = 5) -> list[EvidenceEntry]:
        for i in range(n):
            if i % 2:
                api.get(rows_url(licences.code), {"limit": 2})
            else:
                api.get(rows_url(licences.code, f"JY1441422{i:05d}"))
        return list(EvidenceEntry.objects.order_by("seq"))

    return make


def problems(result) -> list[tuple[int | None, str]]:
    return [(p.seq, p.reason) for p in result.problems]


def test_links_are_hmac_under_the_audit_key_and_the_chain_verifies(calls, settings):
    entries = calls()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == chain.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    key = bytes.fromhex(settings.YIWANG_AUDIT_KEY)
    first = entries[0]
    subjects = list(
        EvidenceSubject.objects.filter(entry=first).values_list("subject_index", flat=True)
    )
    assert first.hash == hmac_sm3_hex(
        key, "yiwang-exchange-evidence:" + chain.canonical(first, subjects)
    )
    head = EvidenceHead.objects.get()
    assert (head.seq, head.hash) == (5, entries[-1].hash)
    result = verification.verify()
    assert result.ok and result.checked == 5 and result.partitions == 1


def test_the_orm_refuses_to_change_evidence(calls):
    entry = calls(1)[0]
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        EvidenceEntry.objects.filter(pk=entry.pk).update(row_count=0)
    with pytest.raises(AppendOnlyError):
        EvidenceEntry.objects.all().delete()


def test_an_edited_entry_is_detected(calls):
    calls()
    sql(f"UPDATE {ENTRY} SET row_count = 0, fields = %s WHERE seq = 3", ["licence_no"])
    assert problems(verification.verify()) == [(3, "altered")]


def test_an_edited_or_removed_subject_is_detected(calls):
    calls()
    entry = EvidenceEntry.objects.get(seq=1)
    sql(f"DELETE FROM {SUBJECT} WHERE entry_id = %s", [entry.pk])
    assert problems(verification.verify()) == [(1, "altered")]


def test_a_deleted_entry_is_detected(calls):
    calls()
    sql(f"DELETE FROM {ENTRY} WHERE seq = 2", [])
    assert problems(verification.verify()) == [(2, "missing")]


def test_an_inserted_entry_is_detected(calls):
    entries = calls()
    last = entries[-1]
    columns = [f.column for f in EvidenceEntry._meta.concrete_fields if not f.primary_key]
    values = {
        f.column: f.get_db_prep_save(getattr(last, f.attname), connection)
        for f in EvidenceEntry._meta.concrete_fields
        if not f.primary_key
    }
    values.update(seq=6, prev_hash=last.hash, hash="ab" * 32, row_count=0)
    sql(
        f"INSERT INTO {ENTRY} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
        [values[c] for c in columns],
    )
    assert problems(verification.verify()) == [(6, "altered"), (6, "head")]


def test_deleted_newest_entries_are_found_by_the_head_then_by_the_checkpoint(calls):
    entries = calls()
    assert actions.write_checkpoint() == 1
    sql(f"DELETE FROM {ENTRY} WHERE seq >= 4", [])
    assert ("truncated") in verification.verify().reasons
    # moving the head back as well: the signed checkpoint still remembers five entries
    sql(f"UPDATE {HEAD} SET seq = 3, hash = %s", [entries[2].hash])
    result = verification.verify()
    assert problems(result) == [(4, "checkpoint_truncated")]
    assert result.problems[0].head_seq == 5


def test_a_whole_deleted_partition_is_found_by_its_checkpoint(calls):
    calls(2)
    actions.write_checkpoint()
    sql(f"DELETE FROM {SUBJECT}", [])
    sql(f"DELETE FROM {ENTRY}", [])
    sql(f"DELETE FROM {HEAD}", [])
    assert problems(verification.verify()) == [(1, "checkpoint_truncated")]


def test_a_rewritten_chain_fails_its_checkpoint(calls, settings):
    """Recomputed with a wrong key, the links are altered; against the checkpoint too."""
    calls(3)
    actions.write_checkpoint()
    wrong = bytes.fromhex("5a1e0c7d93b2f4866d0e2c1ab7f39d40")
    prev = chain.GENESIS
    for entry in EvidenceEntry.objects.order_by("seq"):
        subjects = list(entry.subjects.values_list("subject_index", flat=True))
        entry.prev_hash = prev
        prev = chain.link_hash(entry, subjects, wrong)
        sql(
            f"UPDATE {ENTRY} SET prev_hash = %s, hash = %s WHERE id = %s",
            [entry.prev_hash, prev, entry.pk],
        )
    sql(f"UPDATE {HEAD} SET hash = %s", [prev])
    assert verification.verify().reasons == ["altered", "altered", "altered", "checkpoint"]


def test_checkpoints_are_signed_and_written_once_per_move(calls, _checkpoint_file):
    calls(2)
    assert actions.write_checkpoint() == 1
    assert actions.write_checkpoint() == 0  # nothing moved
    calls(1)
    assert actions.write_checkpoint() == 1
    lines = [json.loads(line) for line in _checkpoint_file.read_text().splitlines()]
    assert [line["seq"] for line in lines] == [2, 3]
    assert oct(_checkpoint_file.stat().st_mode & 0o777) == "0o600"
    lines[0]["seq"] = 9
    _checkpoint_file.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n")
    assert sorted(verification.verify().reasons) == ["checkpoint_format", "checkpoint_signature"]


def test_partitions_do_not_share_a_head(api, licences, make_grant, admin_zjj, make_api):
    other = make_api(actions.issue_credentials(actor=admin_zjj, grant=make_grant(admin_zjj)))
    api.get(rows_url(licences.code, "JY144142200000"))
    other.get(rows_url(licences.code, "JY144142200001"))
    api.get(rows_url(licences.code, "JY144142200002"))
    heads = {h.credential_id: h.seq for h in EvidenceHead.objects.all()}
    assert sorted(heads.values()) == [1, 2]
    for credential_id, seq in heads.items():
        chain_seqs = list(
            EvidenceEntry.objects.filter(credential_id=credential_id)
            .order_by("seq")
            .values_list("seq", flat=True)
        )
        assert chain_seqs == list(range(1, seq + 1))
        assert (
            EvidenceEntry.objects.filter(credential_id=credential_id, seq=1).get().prev_hash
            == chain.GENESIS
        )
    result = verification.verify()
    assert result.ok and result.partitions == 2
    assert actions.write_checkpoint() == 2


def test_the_command_reports_and_exits_non_zero(calls):
    calls(3)
    out = StringIO()
    with translation.override("en"):
        call_command("verify_evidence", stdout=out)
        assert "intact" in out.getvalue()
        sql(f"UPDATE {ENTRY} SET purpose = %s WHERE seq = 2", ["另一个用途"])
        err = StringIO()
        with pytest.raises(CommandError) as failed:
            call_command("verify_evidence", stdout=StringIO(), stderr=err)
    assert failed.value.returncode == 1
    assert "#2" in err.getvalue()


def test_the_periodic_task_writes_checkpoints(calls, _checkpoint_file, settings):
    from yiwang.exchange import tasks

    assert "yiwang.exchange.tasks.write_checkpoint" in settings.YIWANG_PERIODIC_TASKS
    calls(1)
    result = tasks.write_checkpoint.enqueue()
    assert result.return_value == {"partitions": 1}
    points, refused = checkpoints.read(_checkpoint_file, bytes.fromhex(settings.YIWANG_AUDIT_KEY))
    assert [(p.seq, p.hash) for p in points] == [(1, EvidenceEntry.objects.get().hash)]
    assert refused == []
