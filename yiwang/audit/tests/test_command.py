"""`yiwang audit verify` (python manage.py audit verify)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("audit", *args, stdout=out, stderr=err, no_color=True)
    return out.getvalue(), err.getvalue()


def test_intact_chain_exits_zero(make_entries):
    make_entries(4)
    with translation.override("en"):
        out, err = run("verify")
    assert "Audit chain intact: 4 entries checked." in out
    assert err == ""


def test_intact_chain_message_in_chinese(make_entries):
    make_entries(4)
    with translation.override("zh-hans"):
        out, _ = run("verify")
    assert "审计链完整：共 4 条" in out


def test_altered_row_reported_at_its_seq(make_entries):
    make_entries(5)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET summary = %s WHERE seq = %s", ['{"forged": 1}', 3]
        )
    err = StringIO()
    with translation.override("en"), pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify", stdout=StringIO(), stderr=err, no_color=True)
    assert excinfo.value.returncode == 1
    assert "Entry #3 was altered" in err.getvalue()
    assert "1 problem(s)" in str(excinfo.value)


def test_deleted_middle_row_reported_missing(make_entries):
    make_entries(5)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [3])
    err = StringIO()
    with translation.override("en"), pytest.raises(CommandError) as excinfo:
        call_command(
            "audit", "verify", "--batch", "2", stdout=StringIO(), stderr=err, no_color=True
        )
    assert excinfo.value.returncode == 1
    assert "Entry #3 is missing" in err.getvalue()


def test_broken_chain_reported_in_chinese(make_entries):
    make_entries(3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [2])
    err = StringIO()
    with translation.override("zh-hans"), pytest.raises(CommandError):
        call_command("audit", "verify", stdout=StringIO(), stderr=err, no_color=True)
    assert "第 2 条" in err.getvalue()


def test_subcommand_is_required():
    with pytest.raises(CommandError):
        call_command("audit")


def test_batch_must_be_positive():
    with translation.override("en"), pytest.raises(CommandError, match="positive"):
        call_command("audit", "verify", "--batch", "0")
