"""The keyed chain: HMAC-SM3 links, signed checkpoints, every break reported, resealing."""

import json
import stat
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from yiwang.audit import actions, chain
from yiwang.audit.models import AuditEntry
from yiwang.audit.verification import MAX_PROBLEMS
from yiwang.gmcrypto.core import MissingKeyError, hmac_sm3_hex, sm3_hex

pytestmark = pytest.mark.django_db

WRONG_KEY = bytes.fromhex("5a1e0c7d93b2f4866d0e2c1ab7f39d40")


def _sql(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def recompute_chain(link) -> None:
    """What an attacker with database access does: rewrite links and head with ``link``."""
    prev = chain.GENESIS
    for entry in AuditEntry.objects.order_by("seq"):
        entry.prev_hash = prev
        prev = link(chain.canonical(entry))
        _sql(
            "UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE id = %s",
            [entry.prev_hash, prev, entry.pk],
        )
    _sql("UPDATE audit_audithead SET hash = %s WHERE id = 1", [prev])


def test_links_are_hmac_under_the_audit_key(make_entries, settings):
    (entry,) = make_entries(1)
    key = bytes.fromhex(settings.YIWANG_AUDIT_KEY)
    assert entry.hash == hmac_sm3_hex(key, chain.canonical(entry))
    assert entry.hash != sm3_hex(chain.canonical(entry))


def test_chain_recomputed_with_plain_sm3_is_detected(make_entries):
    make_entries(4)
    _sql("UPDATE audit_auditentry SET summary = %s WHERE seq = %s", ['{"forged": 1}', 2])
    recompute_chain(sm3_hex)
    result = actions.verify()
    assert not result.ok
    assert [(p.seq, p.reason) for p in result.problems] == [(s, "unkeyed") for s in (1, 2, 3, 4)]


def test_chain_recomputed_with_a_wrong_key_is_detected(make_entries):
    make_entries(3)
    recompute_chain(lambda text: hmac_sm3_hex(WRONG_KEY, text))
    result = actions.verify()
    assert [(p.seq, p.reason) for p in result.problems] == [(s, "altered") for s in (1, 2, 3)]


def test_verifying_with_another_key_fails(make_entries, settings):
    make_entries(2)
    settings.YIWANG_AUDIT_KEY = WRONG_KEY.hex()
    assert actions.verify().reasons == ["altered", "altered"]


def test_several_independent_breaks_are_all_reported(make_entries):
    entries = make_entries(10)
    _sql("UPDATE audit_auditentry SET action = %s WHERE seq = %s", ["forged", 2])
    _sql("DELETE FROM audit_auditentry WHERE seq = %s", [5])
    _sql("UPDATE audit_auditentry SET prev_hash = %s WHERE seq = %s", [entries[0].hash, 8])
    _sql("DELETE FROM audit_auditentry WHERE seq = %s", [10])
    result = actions.verify()
    assert [(p.seq, p.reason) for p in result.problems] == [
        (2, "altered"),
        (5, "missing"),
        (8, "prev_hash"),
        (8, "altered"),  # prev_hash is part of the signed content
        (10, "truncated"),
    ]
    assert result.problem_count == 5
    assert result.checked == 8


def test_verify_without_the_key_fails_clearly(make_entries, settings):
    make_entries(1)
    settings.YIWANG_AUDIT_KEY = ""
    settings.DEBUG = False
    with pytest.raises(MissingKeyError, match="YIWANG_AUDIT_KEY"):
        actions.verify()
    with pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify", stdout=StringIO(), stderr=StringIO())
    assert excinfo.value.returncode == 2
    assert "YIWANG_AUDIT_KEY" in str(excinfo.value)


def test_record_refuses_without_the_key(settings):
    settings.YIWANG_AUDIT_KEY = ""
    settings.DEBUG = False
    with pytest.raises(MissingKeyError):
        actions.in_transaction_record(actor="system", action="test.nokey")
    assert not AuditEntry.objects.exists()


# --- checkpoints -------------------------------------------------------------------------


def test_checkpoint_command_appends_a_signed_private_line(make_entries, checkpoint_file):
    entries = make_entries(3)
    call_command("audit", "checkpoint", stdout=StringIO())
    make_entries(1)
    call_command("audit", "checkpoint", stdout=StringIO())
    lines = [json.loads(line) for line in checkpoint_file.read_text().splitlines()]
    assert [(c["seq"], c["count"]) for c in lines] == [(3, 3), (4, 4)]
    assert lines[0]["hash"] == entries[2].hash
    assert len(lines[0]["sig"]) == 64
    assert stat.S_IMODE(checkpoint_file.stat().st_mode) == 0o600
    result = actions.verify()
    assert result.ok and result.checkpoints == 2


def test_periodic_task_writes_a_checkpoint(make_entries, checkpoint_file, settings):
    from yiwang.audit.tasks import write_checkpoint

    assert "yiwang.audit.tasks.write_checkpoint" in settings.YIWANG_PERIODIC_TASKS
    make_entries(2)
    write_checkpoint.enqueue()
    (line,) = checkpoint_file.read_text().splitlines()
    assert json.loads(line)["seq"] == 2


def test_truncation_after_the_last_checkpoint_is_detected(make_entries):
    entries = make_entries(5)
    actions.write_checkpoint()
    # Delete the newest two and move the head back so that the chain itself looks whole.
    _sql("DELETE FROM audit_auditentry WHERE seq >= %s", [4])
    _sql("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", [3, entries[2].hash])
    result = actions.verify()
    assert [(p.seq, p.reason, p.head_seq) for p in result.problems] == [
        (4, "checkpoint_truncated", 5)
    ]


def test_rewritten_chain_disagrees_with_the_checkpoint(make_entries):
    make_entries(3)
    actions.write_checkpoint()
    recompute_chain(lambda text: hmac_sm3_hex(WRONG_KEY, text))
    assert "checkpoint" in actions.verify().reasons


def test_edited_checkpoint_line_is_reported(make_entries, checkpoint_file):
    make_entries(2)
    actions.write_checkpoint()
    fields = json.loads(checkpoint_file.read_text())
    fields["seq"] = 1
    checkpoint_file.write_text(json.dumps(fields) + "\nnot json\n")
    result = actions.verify()
    assert [(p.line, p.reason) for p in result.problems] == [
        (1, "checkpoint_signature"),
        (2, "checkpoint_format"),
    ]


def test_verify_against_a_copy_of_the_checkpoints(make_entries, tmp_path):
    make_entries(2)
    copy = tmp_path / "shipped.jsonl"
    actions.write_checkpoint(path=copy)
    _sql("DELETE FROM audit_auditentry WHERE seq = %s", [2])
    _sql("UPDATE audit_audithead SET seq = 1 WHERE id = 1", [])
    assert actions.verify().ok  # the default file has no checkpoint: the cut is invisible
    with pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify", "--checkpoints", str(copy), stdout=StringIO())
    assert excinfo.value.returncode == 1
    result = actions.verify(checkpoint_file=copy)
    assert [(p.seq, p.reason) for p in result.problems] == [(2, "checkpoint_truncated")]


# --- CLI output ----------------------------------------------------------------------------


def test_cli_prints_each_problem_capped(make_entries):
    make_entries(60)
    recompute_chain(lambda text: hmac_sm3_hex(WRONG_KEY, text))
    err = StringIO()
    with translation.override("en"), pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify", stdout=StringIO(), stderr=err, no_color=True)
    assert excinfo.value.returncode == 1
    text = err.getvalue()
    assert "60 problem(s)" in text
    assert "Entry #1 was altered" in text and "Entry #50 was altered" in text
    assert "Entry #51 was" not in text
    assert "and 10 more" in text


def test_problem_list_is_capped_but_counted(make_entries, monkeypatch):
    monkeypatch.setattr("yiwang.audit.verification.MAX_PROBLEMS", 3)
    make_entries(5)
    recompute_chain(sm3_hex)
    result = actions.verify()
    assert (len(result.problems), result.problem_count) == (3, 5)
    assert MAX_PROBLEMS >= 1000


# --- resealing a chain of the unkeyed format -----------------------------------------------


def make_unkeyed_chain(make_entries, n: int) -> None:
    make_entries(n)
    recompute_chain(sm3_hex)


def test_reseal_links_an_intact_unkeyed_chain_under_the_key(make_entries):
    make_unkeyed_chain(make_entries, 4)
    assert actions.unkeyed_chain()
    out = StringIO()
    call_command("audit", "reseal", stdout=out)
    result = actions.verify()
    assert result.ok and result.checked == 5
    last = AuditEntry.objects.order_by("-seq").first()
    assert last.action == "audit.resealed" and last.summary["after"]["entries"] == 4
    assert not actions.unkeyed_chain()


def test_reseal_refuses_a_tampered_unkeyed_chain(make_entries):
    make_unkeyed_chain(make_entries, 3)
    _sql("UPDATE audit_auditentry SET action = %s WHERE seq = %s", ["forged", 2])
    hashes = list(AuditEntry.objects.values_list("hash", flat=True))
    with pytest.raises(CommandError) as excinfo:
        call_command("audit", "reseal", stdout=StringIO())
    assert excinfo.value.returncode == 1
    assert list(AuditEntry.objects.values_list("hash", flat=True)) == hashes


def test_reseal_refuses_once_checkpoints_exist(make_entries):
    make_entries(2)
    actions.write_checkpoint()
    recompute_chain(sm3_hex)
    with pytest.raises(actions.ResealRefused):
        actions.reseal_chain(actor="test")
    assert actions.verify().reasons.count("unkeyed") == 2


@pytest.mark.django_db(transaction=True)  # the checkpoint file is moved aside on commit
def test_reseal_from_the_previous_audit_key(make_entries, settings, monkeypatch, checkpoint_file):
    make_entries(3)
    actions.write_checkpoint()
    old_hex = settings.YIWANG_AUDIT_KEY
    settings.YIWANG_AUDIT_KEY = WRONG_KEY.hex()  # the replacement key
    assert actions.verify().reasons.count("altered") == 3
    monkeypatch.setenv("YIWANG_AUDIT_OLD_KEY", old_hex)
    call_command("audit", "reseal", "--from-old-key", stdout=StringIO())
    result = actions.verify()
    assert result.ok and result.checked == 4
    # The old checkpoints are kept aside as evidence, not checked against the new key.
    assert not checkpoint_file.exists()
    assert len(list(checkpoint_file.parent.glob("*.previous-key"))) == 1


def test_reseal_from_the_previous_key_refuses_a_tampered_chain(make_entries, settings, monkeypatch):
    make_entries(3)
    _sql("UPDATE audit_auditentry SET action = %s WHERE seq = %s", ["forged", 2])
    monkeypatch.setenv("YIWANG_AUDIT_OLD_KEY", settings.YIWANG_AUDIT_KEY)
    settings.YIWANG_AUDIT_KEY = WRONG_KEY.hex()
    with pytest.raises(CommandError, match="old key"):
        call_command("audit", "reseal", "--from-old-key", stdout=StringIO())
    assert AuditEntry.objects.get(seq=2).action == "forged"
    assert not AuditEntry.objects.filter(action="audit.resealed").exists()


def test_setup_reseals_an_unkeyed_chain_once(make_entries):
    from yiwang.web.management.commands.setup import Command as Setup

    make_unkeyed_chain(make_entries, 3)
    setup = Setup(stdout=StringIO(), stderr=StringIO())
    setup._reseal_unkeyed_chain()
    assert actions.verify().ok
    setup._reseal_unkeyed_chain()  # nothing left to do: no second reseal entry
    assert AuditEntry.objects.filter(action="audit.resealed").count() == 1
