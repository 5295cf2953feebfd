"""The hash chain: appending, ORM-level immutability, tamper detection, concurrency."""

import threading

import pytest
from django.db import connection, transaction

from yiwang.audit.actions import GENESIS, in_transaction_record, record, verify
from yiwang.audit.models import AppendOnlyError, AuditEntry, AuditHead

pytestmark = pytest.mark.django_db


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_record_appends_linked_entries(make_entries, auditor):
    entries = make_entries(3, actor=auditor, obj=auditor)
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].actor_id == auditor.pk
    assert entries[2].actor_label == "审计员"
    assert entries[2].object_type == "accounts.user"
    assert entries[2].object_id == str(auditor.pk)
    assert entries[2].summary == {"after": {"i": 2}}
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (3, entries[2].hash)
    result = verify()
    assert result.ok and result.checked == 3


@pytest.mark.django_db(transaction=True)
def test_record_requires_a_transaction():
    with pytest.raises(RuntimeError, match="transaction"):
        record(actor="system", action="test.none")


def test_rolled_back_transaction_leaves_no_entry():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        record(actor="system", action="test.fail")
        1 / 0  # noqa: B018
    assert not AuditEntry.objects.exists()
    assert verify().ok


def test_existing_entry_cannot_be_saved_or_deleted(make_entries):
    (entry,) = make_entries(1)
    entry.summary = {"forged": True}
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.get(pk=entry.pk).save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(summary={})
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_create([AuditEntry(seq=99, created_at=entry.created_at)])
    # Nothing changed, and record() still appends.
    assert AuditEntry.objects.get(pk=entry.pk).summary == {"after": {"i": 0}}
    in_transaction_record(actor="system", action="test.after")
    assert verify().ok and verify().checked == 2


def test_deleting_a_user_keeps_the_chain_intact(django_user_model, make_entries):
    user = django_user_model.objects.create_user(username="temp", password="Dabu@2026.gov")
    make_entries(2, actor=user)
    user_pk = user.pk
    user.delete()
    assert AuditEntry.objects.filter(actor_id=user_pk).count() == 2
    assert verify().ok


def test_altered_row_is_reported_at_its_seq(make_entries):
    make_entries(5)
    _raw("UPDATE audit_auditentry SET summary = %s WHERE seq = %s", ['{"after": {"i": 999}}', 3])
    result = verify()
    assert not result.ok
    assert (result.broken_seq, result.reason, result.checked) == (3, "altered", 5)
    assert result.problem_count == 1


def test_deleted_middle_row_is_reported_missing(make_entries):
    make_entries(5)
    _raw("DELETE FROM audit_auditentry WHERE seq = %s", [2])
    result = verify()
    assert (result.ok, result.broken_seq, result.reason) == (False, 2, "missing")
    assert result.problem_count == 1


def test_deleted_newest_rows_are_reported_truncated(make_entries):
    make_entries(5)
    _raw("DELETE FROM audit_auditentry WHERE seq >= %s", [4])
    result = verify()
    assert (result.ok, result.broken_seq, result.reason, result.head_seq) == (
        False,
        4,
        "truncated",
        5,
    )


def test_relinked_row_is_reported(make_entries):
    entries = make_entries(4)
    _raw("UPDATE audit_auditentry SET prev_hash = %s WHERE seq = %s", [entries[0].hash, 3])
    result = verify()
    assert (result.ok, result.broken_seq, result.reason) == (False, 3, "prev_hash")


def test_tampered_head_is_reported(make_entries):
    make_entries(3)
    _raw("UPDATE audit_audithead SET seq = %s WHERE id = 1", [1])
    result = verify()
    assert (result.ok, result.broken_seq, result.reason) == (False, 2, "head")


def test_verify_reads_in_batches(make_entries, django_assert_num_queries):
    make_entries(7)
    # 7 rows in batches of 3: 3 full reads + 1 empty read + the head.
    with django_assert_num_queries(5):
        result = verify(batch=3)
    assert result.ok and result.checked == 7


def test_empty_chain_is_intact():
    result = verify()
    assert result.ok and result.checked == 0


@pytest.mark.django_db(transaction=True)
def test_many_records_produce_a_valid_chain():
    """PostgreSQL: concurrent writers serialise on the locked head row.

    SQLite has one writer at a time anyway, so there the same number of appends
    runs sequentially and the chain must come out identical in shape.
    """
    writers, per_writer = 6, 5
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(per_writer):
                with transaction.atomic():
                    record(actor=f"writer-{n}", action="test.concurrent", after={"i": i})
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)
        finally:
            connection.close()

    if connection.vendor == "postgresql":
        barrier = threading.Barrier(writers)

        def start(n: int) -> None:
            barrier.wait()
            write(n)

        threads = [threading.Thread(target=start, args=(n,)) for n in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads)
    else:
        for n in range(writers):
            write(n)

    assert errors == []
    total = writers * per_writer
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    labels = AuditEntry.objects.values_list("actor_label", flat=True)
    assert {label: list(labels).count(label) for label in set(labels)} == {
        f"writer-{n}": per_writer for n in range(writers)
    }
    result = verify()
    assert result.ok and result.checked == total
    assert AuditHead.objects.get(pk=1).seq == total
