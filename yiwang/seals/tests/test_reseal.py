"""``reseal_signing_keys``: every private key moves from the old KEK to the new one, or none
does; the old KEK comes from an environment variable; the seals sign again afterwards."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from yiwang.audit.models import AuditEntry
from yiwang.seals import actions, signing
from yiwang.seals.models import SealKey
from yiwang.testing.county import BUILDER as SYSTEM

pytestmark = pytest.mark.django_db
NEW_KEK = "5b7d9f1a3c5e7092b4d6f8a1c3e5071f"
WRONG_KEK = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
VARIABLE = "YIWANG_OLD_SIGNING_KEK"
PAYLOAD = "电子证照 测试".encode()


@pytest.fixture
def keys(seal, reviewer_scj, admin_scj):
    """The seal's key, a retired one (after a rotation) and a staff member's own key."""
    actions.rotate_key(actor=admin_scj, seal=seal, reason="scheduled")
    actions.issue_staff_key(actor=reviewer_scj, holder=reviewer_scj)
    return {k.key_id: k.sealed_private_key for k in SealKey.objects.all()}


def tokens():
    return {k.key_id: k.sealed_private_key for k in SealKey.objects.all()}


def test_with_the_wrong_old_kek_nothing_changes(settings, monkeypatch, seal, keys):
    old = settings.YIWANG_SIGNING_KEK
    settings.YIWANG_SIGNING_KEK = NEW_KEK
    monkeypatch.setenv(VARIABLE, WRONG_KEK)
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("reseal_signing_keys", old_kek_env=VARIABLE)
    assert tokens() == keys
    assert not AuditEntry.objects.filter(action="seals.reseal_keys").exists()
    with pytest.raises(signing.KeyUnusable):
        signing.sign(seal, PAYLOAD, purpose="test", actor=SYSTEM)
    settings.YIWANG_SIGNING_KEK = old  # the old KEK still opens every key
    assert signing.sign(seal, PAYLOAD, purpose="test", actor=SYSTEM).key_id


def test_with_the_right_old_kek_every_key_is_resealed_and_signs(
    settings, monkeypatch, seal, keys, reviewer_scj
):
    monkeypatch.setenv(VARIABLE, settings.YIWANG_SIGNING_KEK)
    settings.YIWANG_SIGNING_KEK = NEW_KEK
    with pytest.raises(signing.KeyUnusable):  # before: the new KEK opens nothing
        signing.sign(seal, PAYLOAD, purpose="test", actor=SYSTEM)
    out = io.StringIO()
    call_command("reseal_signing_keys", old_kek_env=VARIABLE, stdout=out)
    assert "3 key(s) re-sealed" in out.getvalue()
    after = tokens()
    assert set(after) == set(keys) and all(after[k] != keys[k] for k in keys)
    signed = signing.sign(seal, PAYLOAD, purpose="test", actor=SYSTEM)
    assert signing.verify(signed.key_id, PAYLOAD, signed.signature)
    personal = signing.sign_personal(PAYLOAD, purpose="test", actor=reviewer_scj)
    assert signing.verify(personal.key_id, PAYLOAD, personal.signature)
    entry = AuditEntry.objects.get(action="seals.reseal_keys")
    assert entry.summary["after"]["resealed"] == 3
    assert NEW_KEK not in str(entry.summary) and "private" not in str(entry.summary)
    # once more: every key is already under the new KEK
    out = io.StringIO()
    call_command("reseal_signing_keys", old_kek_env=VARIABLE, stdout=out)
    assert "0 key(s) re-sealed" in out.getvalue() and "3 already" in out.getvalue()


def test_the_old_kek_must_be_in_the_environment_and_differ(settings, monkeypatch, keys):
    monkeypatch.delenv(VARIABLE, raising=False)
    with pytest.raises(CommandError, match=VARIABLE):
        call_command("reseal_signing_keys", old_kek_env=VARIABLE)
    monkeypatch.setenv(VARIABLE, "not hex")
    with pytest.raises(CommandError, match="32 hex digits"):
        call_command("reseal_signing_keys", old_kek_env=VARIABLE)
    monkeypatch.setenv(VARIABLE, settings.YIWANG_SIGNING_KEK)
    with pytest.raises(CommandError, match="nothing to re-seal"):
        call_command("reseal_signing_keys", old_kek_env=VARIABLE)
    assert tokens() == keys
