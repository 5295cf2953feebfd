"""SM4 key rotation: key ids in ciphertexts, re-encryption of every encrypted column, resuming."""

import base64
import os
from io import StringIO

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation
from model_bakery import baker

from yiwang.accounts.models import User
from yiwang.audit.models import AuditEntry
from yiwang.gmcrypto import core
from yiwang.gmcrypto.models import Reencryption
from yiwang.hotline.models import Ticket
from yiwang.privacy import key_rotation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Assertions below read the command's English messages."""
    with translation.override("en"):
        yield


OLD = "9178e11a599808809f96a37724ca1df0"  # test_settings' key
NEW = "2b7e151628aed2a6abf7158809cf4f3c"


def raw(model, pk, column):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def key_id_of(hex_key: str) -> int:
    return core.key_id(bytes.fromhex(hex_key))


@pytest.fixture
def old_data(django_user_model):
    users = [
        django_user_model.objects.create_user(
            username=f"u{i}", password="Dabu@2026.gov", phone=f"1380013{i:04d}", id_number=""
        )
        for i in range(5)
    ]
    tickets = [baker.make(Ticket, caller_phone=f"1390013{i:04d}") for i in range(3)]
    return users, tickets


@pytest.fixture
def rotated(settings):
    """The new key is current; the old one still reads."""
    settings.YIWANG_SM4_KEY = NEW
    settings.YIWANG_SM4_OLD_KEYS = OLD


def test_ciphertext_names_its_key():
    token = core.encrypt("13800135678")
    assert core.token_key_id(token) == key_id_of(OLD)
    assert not core.needs_reencryption(token)


def test_version_1_ciphertexts_still_decrypt():
    enc, mac, _ = core.keys()
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    data = padder.update(b"13800135678") + padder.finalize()
    encryptor = Cipher(algorithms.SM4(enc), modes.CBC(iv)).encryptor()
    body = b"\x01" + iv + encryptor.update(data) + encryptor.finalize()
    token = base64.b64encode(body + core.hmac_sm3(mac, body)).decode()
    assert core.decrypt(token) == "13800135678"
    assert core.token_key_id(token) is None and core.needs_reencryption(token)


def test_old_values_decrypt_during_rotation(old_data, rotated):
    users, tickets = old_data
    assert User.objects.get(pk=users[0].pk).phone == "13800130000"
    assert Ticket.objects.get(pk=tickets[1].pk).caller_phone == "13900130001"
    # New writes use the new key.
    fresh = User.objects.create_user(username="new", password="Dabu@2026.gov", phone="13700137000")
    assert core.token_key_id(raw(User, fresh.pk, "phone")) == key_id_of(NEW)


def test_rotation_reencrypts_every_model(old_data, rotated, settings):
    users, tickets = old_data
    out = StringIO()
    call_command("rotate_keys", "sm4", "--batch", "2", stdout=out)
    assert "accounts.user" in out.getvalue() and "hotline.ticket" in out.getvalue()
    for user in users:
        assert core.token_key_id(raw(User, user.pk, "phone")) == key_id_of(NEW)
        assert raw(User, user.pk, "id_number") == ""  # empty values stay empty
    for ticket in tickets:
        assert core.token_key_id(raw(Ticket, ticket.pk, "caller_phone")) == key_id_of(NEW)
    # The old key is no longer needed.
    settings.YIWANG_SM4_OLD_KEYS = ""
    assert User.objects.get(pk=users[4].pk).phone == "13800130004"
    assert Ticket.objects.get(pk=tickets[2].pk).caller_phone == "13900130002"
    progress = Reencryption.objects.get(model="accounts.user")
    assert (progress.rows, progress.rewritten, progress.finished_at is not None) == (5, 5, True)
    actions_logged = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"gmcrypto.reencryption_started", "gmcrypto.reencryption_finished"} <= actions_logged


def test_rotation_discovers_models_through_the_registry():
    labels = {m.label: {f.name for f in m.fields} for m in key_rotation.encrypted_models()}
    assert labels["accounts.user"] >= {"id_number", "phone"}
    assert "caller_phone" in labels["hotline.ticket"]
    assert "applicant_phone" in labels["cases.case"]


def test_interrupted_rotation_resumes(old_data, rotated, monkeypatch):
    users, _ = old_data
    real = key_rotation._reencrypt
    calls = []

    def dies_on_the_fourth(*args):
        calls.append(args)
        if len(calls) == 4:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or a killed process
        return real(*args)

    monkeypatch.setattr(key_rotation, "_reencrypt", dies_on_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        call_command("rotate_keys", "sm4", "--batch", "2", stdout=StringIO())
    # The first batch (2 users) committed with its progress; the failed batch rolled back.
    progress = Reencryption.objects.get(model="accounts.user")
    assert (progress.last_pk, progress.rewritten, progress.finished_at) == (users[1].pk, 2, None)
    done_early = raw(User, users[0].pk, "phone")
    assert core.token_key_id(done_early) == key_id_of(NEW)
    assert core.token_key_id(raw(User, users[2].pk, "phone")) == key_id_of(OLD)
    # Mid-rotation, both kinds read.
    assert [
        u.phone for u in User.objects.filter(pk__in=[users[0].pk, users[2].pk]).order_by("pk")
    ] == [
        "13800130000",
        "13800130002",
    ]

    monkeypatch.setattr(key_rotation, "_reencrypt", real)
    call_command("rotate_keys", "sm4", "--batch", "2", stdout=StringIO())
    assert raw(User, users[0].pk, "phone") == done_early  # not done twice
    progress.refresh_from_db()
    assert (progress.rows, progress.rewritten) == (5, 5)
    assert list(key_rotation.remaining_old_values()) == []


def test_value_under_an_unknown_key_stops_the_batch(old_data, settings):
    users, _ = old_data
    settings.YIWANG_SM4_KEY = NEW  # the old key forgotten: its values cannot be read
    with pytest.raises(CommandError, match="YIWANG_SM4_OLD_KEYS"):
        call_command("rotate_keys", "sm4", stdout=StringIO())
    assert core.token_key_id(raw(User, users[0].pk, "phone")) == key_id_of(OLD)
    assert Reencryption.objects.get(model="accounts.user").rewritten == 0


def test_check_mode_counts_without_changing(old_data, rotated):
    users, _ = old_data
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("rotate_keys", "sm4", "--check", stdout=StringIO(), stderr=err)
    assert "accounts.user: 5 value(s)" in err.getvalue()
    assert "hotline.ticket: 3 value(s)" in err.getvalue()
    assert core.token_key_id(raw(User, users[0].pk, "phone")) == key_id_of(OLD)


def test_restart_rescans_values_written_with_an_old_key_meanwhile(old_data, rotated, settings):
    call_command("rotate_keys", "sm4", stdout=StringIO())
    # A process still on the old key wrote a value after the run passed it.
    settings.YIWANG_SM4_KEY, settings.YIWANG_SM4_OLD_KEYS = OLD, NEW
    late = User.objects.create_user(username="late", password="Dabu@2026.gov", phone="13600136000")
    settings.YIWANG_SM4_KEY, settings.YIWANG_SM4_OLD_KEYS = NEW, OLD
    with pytest.raises(CommandError, match="--restart"):
        call_command("rotate_keys", "sm4", stdout=StringIO(), stderr=StringIO())
    call_command("rotate_keys", "sm4", "--restart", stdout=StringIO())
    assert core.token_key_id(raw(User, late.pk, "phone")) == key_id_of(NEW)


def test_blind_index_rotation_is_explained_not_faked():
    with pytest.raises(CommandError, match="not rotated by a command"):
        call_command("rotate_keys", "blind-index")
