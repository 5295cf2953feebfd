"""``seals.signing``: signing with the current key, verification (retired keys too), the audit
entry (purpose and SM3 of the data, never the data), refusals, and the cross-check with the
pure-Python ``gmssl`` (an independent SM2) both ways."""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from gmssl import sm2 as pure
from gmssl import sm3 as pure_sm3

from yiwang.audit.models import AuditEntry
from yiwang.gmcrypto import core, sm2
from yiwang.seals import actions, keys, signing
from yiwang.seals.models import SealKey, SealKind
from yiwang.testing.county import BUILDER as SYSTEM
from yiwang.testing.county import make_superuser

pytestmark = pytest.mark.django_db

PAYLOAD = "食品经营许可证|JY14414220000001|大埔县客家味道餐饮有限公司".encode()


def current_key(seal) -> SealKey:
    return SealKey.objects.get(seal=seal, retired_at__isnull=True)


# --- signing and verifying -----------------------------------------------------------------


def test_sign_with_the_current_key_and_verify(seal, reviewer_scj):
    sig = signing.sign(seal, PAYLOAD, purpose="licence.issue demo-1", actor=reviewer_scj)
    key = current_key(seal)
    assert (sig.seal_id, sig.key_id, sig.public_key) == (seal.pk, key.key_id, key.public_key)
    assert sig.algorithm == "SM2-with-SM3" and sig.holder_id is None
    assert sig.signature[0] == 0x30 and base64.b64decode(sig.signature_b64) == sig.signature
    assert signing.verify(sig.key_id, PAYLOAD, sig.signature)
    assert signing.verify(sig.key_id, PAYLOAD, sig.signature_b64)  # base64 is accepted too
    assert sm2.verify(key.public_key, PAYLOAD, sig.signature)  # the default user ID
    assert signing.public_key(sig.key_id) == key.public_key


def test_forgeries_and_unknowns_do_not_verify(seal):
    sig = signing.sign(seal, PAYLOAD, purpose="test", actor=SYSTEM)
    assert not signing.verify(sig.key_id, PAYLOAD + b" ", sig.signature)
    tampered = bytearray(sig.signature)
    tampered[-1] ^= 1
    assert not signing.verify(sig.key_id, PAYLOAD, bytes(tampered))
    assert not signing.verify("0" * 16, PAYLOAD, sig.signature)  # unknown key id
    for bad_id in ("", "xyz", sig.key_id.upper(), sig.key_id + "0", None, 12):
        assert not signing.verify(bad_id, PAYLOAD, sig.signature)
    assert not signing.verify(sig.key_id, PAYLOAD, "not base64!")
    assert not signing.verify(sig.key_id, PAYLOAD.decode(), sig.signature)  # data is bytes
    with pytest.raises(signing.UnknownKey):
        signing.public_key("0" * 16)
    with pytest.raises(LookupError):
        signing.public_key("../etc")


def test_every_signature_is_audited_with_the_sm3_of_the_data_never_the_data(seal, reviewer_scj):
    secret = b"ID 441422199001010012 " + secrets.token_hex(8).encode()
    sig = signing.sign(seal, secret, purpose="决定书签章 2026-001", actor=reviewer_scj)
    entry = AuditEntry.objects.get(action="seals.sign")
    assert entry.actor == reviewer_scj and entry.object_type == "seals.seal"
    assert entry.object_id == str(seal.pk)
    summary = entry.summary
    assert summary["key_id"] == sig.key_id and summary["purpose"] == "决定书签章 2026-001"
    assert summary["data_sm3"] == core.sm3_digest(secret).hex() and summary["data_bytes"] == len(
        secret
    )
    text = json.dumps(summary, ensure_ascii=False)
    assert secret.decode() not in text and "441422199001010012" not in text
    assert sig.signature_b64 not in text


def test_the_platform_signs_for_automatic_issuance(seal):
    sig = signing.sign(seal, PAYLOAD, purpose="auto", actor=SYSTEM)
    assert AuditEntry.objects.get(action="seals.sign").actor_label == "test"
    assert signing.verify(sig.key_id, PAYLOAD, sig.signature)


@pytest.mark.parametrize("who", ["admin_mzj", "authority", "root", "citizen", "nobody"])
def test_only_staff_of_the_department_or_the_platform_sign(seal, who, request):
    if who == "nobody":
        actor = None
    elif who == "root":
        actor = make_superuser()  # a platform administrator manages seals, but signs with none
    else:
        actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied, match="大埔县市场监督管理局"):
        signing.sign(seal, PAYLOAD, purpose="x", actor=actor)
    assert not AuditEntry.objects.filter(action="seals.sign").exists()


def test_bad_arguments(seal):
    with pytest.raises(ValidationError) as caught:
        signing.sign(seal, PAYLOAD, purpose=" \x00 ", actor=SYSTEM)
    assert caught.value.code == "purpose_required"
    with pytest.raises(ValidationError) as caught:
        signing.sign(seal, PAYLOAD, purpose="x" * 201, actor=SYSTEM)
    assert caught.value.code == "purpose_too_long"
    with pytest.raises(TypeError):
        signing.sign(seal, PAYLOAD.decode(), purpose="x", actor=SYSTEM)  # type: ignore[arg-type]
    assert not AuditEntry.objects.filter(action="seals.sign").exists()


# --- refusals ------------------------------------------------------------------------------


def test_an_inactive_seal_signs_nothing(seal, admin_scj):
    stale = type(seal).objects.get(pk=seal.pk)  # a copy read before the deactivation
    actions.deactivate_seal(actor=admin_scj, seal=seal, reason="停用")
    with pytest.raises(signing.SealInactive) as caught:
        signing.sign(stale, PAYLOAD, purpose="x", actor=SYSTEM)
    assert caught.value.code == "seal_inactive" and "大埔县市场监督管理局" in caught.value.message


def test_a_seal_without_a_current_key_signs_nothing(seal):
    keys.retire(current_key(seal))
    with pytest.raises(signing.NoActiveKey) as caught:
        signing.sign(seal, PAYLOAD, purpose="x", actor=SYSTEM)
    assert caught.value.code == "no_active_key"


def test_a_key_that_does_not_open_under_the_kek_signs_nothing(seal, settings):
    settings.YIWANG_SIGNING_KEK = "a47e0c2b9d5f3816c0e4a2b8d6f1e937"
    with pytest.raises(signing.KeyUnusable) as caught:
        signing.sign(seal, PAYLOAD, purpose="x", actor=SYSTEM)
    assert caught.value.code == "key_unusable"
    assert not AuditEntry.objects.filter(action="seals.sign").exists()


def test_a_sealed_key_swapped_for_another_keys_signs_nothing(seal, depts, admin_scj):
    other = actions.create_seal(actor=admin_scj, department=depts["scj"], kind=SealKind.APPROVAL)
    key = current_key(seal)
    SealKey.objects.filter(pk=key.pk).update(
        sealed_private_key=current_key(other).sealed_private_key
    )
    with pytest.raises(signing.KeyUnusable):
        signing.sign(seal, PAYLOAD, purpose="x", actor=SYSTEM)


# --- rotation ------------------------------------------------------------------------------


def test_rotation_old_signatures_verify_new_ones_use_the_new_key(seal, admin_scj):
    before = signing.sign(seal, PAYLOAD, purpose="before", actor=SYSTEM)
    stale = type(seal).objects.get(pk=seal.pk)
    new_key = actions.rotate_key(actor=admin_scj, seal=seal, reason="定期更换")
    after = signing.sign(stale, PAYLOAD, purpose="after", actor=SYSTEM)
    assert before.key_id != after.key_id == new_key.key_id
    assert signing.verify(before.key_id, PAYLOAD, before.signature)  # the retired key
    assert signing.verify(after.key_id, PAYLOAD, after.signature)
    # Neither key verifies the other's signature.
    assert not signing.verify(before.key_id, PAYLOAD, after.signature)
    assert not signing.verify(after.key_id, PAYLOAD, before.signature)
    assert signing.public_key(before.key_id) != signing.public_key(after.key_id)
    # No signature after the rotation was made with the retired key.
    purposes = {
        e.summary["purpose"]: e.summary["key_id"]
        for e in AuditEntry.objects.filter(action="seals.sign")
    }
    assert purposes == {"before": before.key_id, "after": new_key.key_id}


@pytest.mark.django_db(transaction=True)
def test_a_signature_waiting_on_a_rotation_uses_the_new_key(seal, admin_scj, settings):
    """The signer blocks on the key row the rotation retired; when the rotation commits it
    finds the new key (PostgreSQL re-reads in a new snapshot), never the retired one."""
    if connection.vendor == "sqlite":
        # One writer at a time: every transaction begins IMMEDIATE, so a signature (which
        # writes its audit entry) cannot even start while a rotation is under way. (The
        # in-memory test database cannot hold two connections' locks to show it.)
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    old = current_key(seal).key_id
    rotated, release = threading.Event(), threading.Event()
    result: dict = {}

    def rotate():
        try:
            with transaction.atomic():
                result["new"] = actions.rotate_key(actor=admin_scj, seal=seal).key_id
                rotated.set()
                release.wait(10)
        finally:
            connection.close()

    def sign():
        try:
            result["sig"] = signing.sign(seal, PAYLOAD, purpose="race", actor=SYSTEM)
        finally:
            connection.close()

    rotation = threading.Thread(target=rotate)
    rotation.start()
    assert rotated.wait(10)
    signer = threading.Thread(target=sign)
    signer.start()
    signer.join(0.5)
    assert signer.is_alive()  # waiting for the rotation's lock on the current key
    release.set()
    rotation.join(10)
    signer.join(10)
    assert result["sig"].key_id == result["new"] != old
    assert signing.verify(result["new"], PAYLOAD, result["sig"].signature)


# --- finding a department's seal -----------------------------------------------------------


def test_department_seal_prefers_the_most_specific_kind(seal, admin_scj, depts):
    assert signing.department_seal(depts["scj"]) == seal
    approval = actions.create_seal(actor=admin_scj, department=depts["scj"], kind=SealKind.APPROVAL)
    assert signing.department_seal(depts["scj"]) == approval
    assert signing.department_seal(depts["scj"].pk, kinds=[SealKind.OFFICIAL]) == seal
    assert signing.department_seal(depts["mzj"]) is None
    assert signing.seal_image(seal).startswith(b"\x89PNG")


# --- staff signatures ----------------------------------------------------------------------


def test_a_staff_member_signs_with_their_own_key(reviewer_scj, citizen):
    with pytest.raises(signing.NoActiveKey):
        signing.sign_personal(PAYLOAD, purpose="审查意见", actor=reviewer_scj)
    key = actions.issue_staff_key(actor=reviewer_scj, holder=reviewer_scj)
    sig = signing.sign_personal(PAYLOAD, purpose="审查意见", actor=reviewer_scj)
    assert (sig.key_id, sig.holder_id, sig.seal_id) == (key.key_id, reviewer_scj.pk, None)
    assert signing.verify(sig.key_id, PAYLOAD, sig.signature)
    entry = AuditEntry.objects.get(action="seals.sign_personal")
    assert entry.summary["data_sm3"] == core.sm3_digest(PAYLOAD).hex()
    with pytest.raises(PermissionDenied):
        signing.sign_personal(PAYLOAD, purpose="x", actor=citizen)


# --- cross-check with the pure-Python gmssl ------------------------------------------------


def pure_digest(public_hex: str, message: bytes) -> bytes:
    """SM3(Z || M) with the default user ID, computed with gmssl's own SM3."""
    table = pure.default_ecc_table
    uid = sm2.DEFAULT_USER_ID
    z_input = (
        (len(uid) * 8).to_bytes(2, "big")
        + uid
        + bytes.fromhex(table["a"] + table["b"] + table["g"] + public_hex[2:])
    )
    z = bytes.fromhex(pure_sm3.sm3_hash(list(z_input)))
    return bytes.fromhex(pure_sm3.sm3_hash(list(z + message)))


def test_seal_signatures_verify_with_pure_python_gmssl_and_back(seal):
    key = current_key(seal)
    # gmssl's CryptSM2 strips a leading "04" with lstrip("04"): it is given x || y, and a key
    # whose x itself starts with 0 and 4 (1 in 256) would still lose digits, so take another.
    while key.public_key[2:].startswith("04"):
        key = actions.rotate_key(actor=SYSTEM, seal=seal)
    crypt = pure.CryptSM2(private_key="", public_key=key.public_key[2:], asn1=True)
    sig = signing.sign(seal, PAYLOAD, purpose="cross-check", actor=SYSTEM)
    assert crypt.verify(sig.signature.hex(), pure_digest(key.public_key, PAYLOAD))
    assert crypt.verify_with_sm3(sig.signature.hex(), PAYLOAD)  # its own Z, default user ID

    # The other way: gmssl signs with the seal's (opened) private key, signing.verify checks.
    private = keys.open_key(key)
    signer = pure.CryptSM2(private_key=private, public_key=key.public_key[2:], asn1=True)
    while True:
        made = signer.sign(
            pure_digest(key.public_key, PAYLOAD), f"{secrets.randbelow(sm2.N - 1) + 1:064x}"
        )
        if made is not None:
            break
    assert signing.verify(key.key_id, PAYLOAD, bytes.fromhex(made))
    assert not signing.verify(key.key_id, PAYLOAD + b"!", bytes.fromhex(made))


def test_a_retired_key_verifies_only_what_it_signed_before_its_rotation(seal, admin_scj):
    """Someone holding a retired private key cannot make records dated after the rotation
    pass: verification with the claimed signing time refuses them."""
    old = current_key(seal)
    before = signing.sign(seal, PAYLOAD, purpose="before", actor=SYSTEM)
    actions.rotate_key(actor=admin_scj, seal=seal, reason="定期更换")
    old.refresh_from_db()
    forged = sm2.sign(keys.open_key(old), PAYLOAD, signing.USER_ID)
    assert signing.verify(old.key_id, PAYLOAD, before.signature, signed_at=before.signed_at)
    assert signing.verify(old.key_id, PAYLOAD, forged)  # the bytes are the old key's
    later = old.retired_at + dt.timedelta(seconds=1)
    assert not signing.verify(old.key_id, PAYLOAD, forged, signed_at=later)


def test_a_remembered_verification_answers_only_the_same_bytes(seal):
    signed = signing.sign(seal, PAYLOAD, purpose="memo", actor=SYSTEM)
    assert signing.verify(signed.key_id, PAYLOAD, signed.signature)
    assert signing.verify(signed.key_id, PAYLOAD, signed.signature)  # remembered
    assert not signing.verify(signed.key_id, PAYLOAD + b" ", signed.signature)
    tampered = bytearray(base64.b64decode(signed.signature_b64))
    tampered[-1] ^= 1
    assert not signing.verify(signed.key_id, PAYLOAD, bytes(tampered))
