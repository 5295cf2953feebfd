"""Issuing licences, their lifecycle, and verification: success, denial and bad input."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from gmssl import sm2 as pure_sm2

from yiwang.audit.actors import SYSTEM
from yiwang.audit.models import AuditEntry
from yiwang.gmcrypto import sm2
from yiwang.licences import actions, verification
from yiwang.licences.actions import Holder
from yiwang.licences.identifiers import CheckCharacterError, parse
from yiwang.licences.metadata import LicenceMetadata
from yiwang.licences.models import Licence, LicenceEvent, Status
from yiwang.licences.offline import licence_file, verify_document
from yiwang.seals import actions as seals
from yiwang.seals import signing

pytestmark = pytest.mark.django_db
FIELDS = {"经营场所": "湖寮镇大埔大道1号", "主体业态": "餐饮服务经营者"}


def issue(actor, food_type, enterprise, **kwargs):
    return actions.issue(
        actor=actor,
        licence_type=food_type,
        holder=Holder.of_enterprise(enterprise),
        fields=FIELDS,
        **kwargs,
    )


def test_an_issued_licence_is_numbered_signed_and_verifies(seal, clerk_scj, food_type, enterprise):
    licence = issue(clerk_scj, food_type, enterprise, valid_from=dt.date(2026, 12, 1))
    identifier = parse(licence.identifier)
    assert identifier.type_code == food_type.code
    assert identifier.issuer_code == food_type.issuer.uscc
    assert (identifier.serial, identifier.version) == ("0000001", "001")
    assert licence.valid_until == dt.date(2031, 11, 30)
    assert licence.metadata["extension"] == FIELDS
    # The signature is the seal's SM2 over the canonical metadata: it verifies outside our
    # code too (pure-Python gmssl with the default user ID).
    canonical = LicenceMetadata.from_dict(licence.metadata).canonical()
    public = signing.public_key(licence.key_id)
    der = base64.b64decode(licence.signature)
    assert sm2.verify(public, canonical, der)
    checker = pure_sm2.CryptSM2(private_key="", public_key=public[2:])
    r, s = _der_pair(der)
    assert checker.verify_with_sm3(f"{r:064x}{s:064x}", canonical)
    result = verification.verify(licence.identifier, today=dt.date(2026, 12, 6))
    assert result.valid and result.status == Status.VALID and result.reason == ""
    assert result.holder == "大埔县湖寮镇客家饭店"  # an enterprise's name is public
    assert [e.operation for e in licence.events.all()] == ["issue"]
    assert AuditEntry.objects.filter(action="licences.issue").count() == 1
    second = issue(clerk_scj, food_type, enterprise)
    assert parse(second.identifier).serial == "0000002"


def _der_pair(der: bytes) -> tuple[int, int]:
    assert der[0] == 0x30
    at = 2
    values = []
    for _ in range(2):
        assert der[at] == 0x02
        length = der[at + 1]
        values.append(int.from_bytes(der[at + 2 : at + 2 + length], "big"))
        at += 2 + length
    return values[0], values[1]


def test_the_licence_file_verifies_offline_with_the_issuers_key(
    seal, clerk_scj, food_type, enterprise
):
    licence = issue(clerk_scj, food_type, enterprise)
    public = signing.public_key(licence.key_id)
    document = licence_file(
        LicenceMetadata.from_dict(licence.metadata),
        key_id=licence.key_id,
        public_key=public,
        signature=base64.b64decode(licence.signature),
    )
    assert verify_document(json.loads(json.dumps(document)), public).valid


def test_only_the_issuing_departments_staff_issue(seal, clerk_mzj, citizen, food_type, enterprise):
    with pytest.raises(PermissionDenied):
        issue(clerk_mzj, food_type, enterprise)
    with pytest.raises(PermissionDenied):
        issue(citizen, food_type, enterprise)
    assert not Licence.objects.exists()


def test_bad_issuance_is_refused_and_writes_nothing(
    seal, clerk_scj, food_type, enterprise, citizen
):
    with pytest.raises(ValidationError) as wrong_holder:
        actions.issue(actor=clerk_scj, licence_type=food_type, holder=Holder.person(citizen))
    assert wrong_holder.value.code == "wrong_holder"
    with pytest.raises(ValidationError) as unknown:
        issue_with = {"营业面积": "20"}
        actions.issue(
            actor=clerk_scj,
            licence_type=food_type,
            holder=Holder.of_enterprise(enterprise),
            fields=issue_with,
        )
    assert unknown.value.code == "unknown_field"
    food_type.active = False
    food_type.save()
    with pytest.raises(ValidationError) as inactive:
        issue(clerk_scj, food_type, enterprise)
    assert inactive.value.code == "type_inactive"
    assert not Licence.objects.exists() and not LicenceEvent.objects.exists()


def test_without_a_seal_nothing_is_issued(clerk_scj, food_type, enterprise):
    with pytest.raises(ValidationError) as refused:
        issue(clerk_scj, food_type, enterprise)
    assert refused.value.code == "no_seal"
    assert not Licence.objects.exists()


def test_suspension_revocation_and_their_reasons(seal, clerk_scj, food_type, enterprise):
    licence = issue(clerk_scj, food_type, enterprise)
    with pytest.raises(ValidationError):
        actions.suspend(actor=clerk_scj, licence=licence, reason="  ")
    actions.suspend(actor=clerk_scj, licence=licence, reason="卫生检查不合格，限期整改")
    result = verification.verify(licence.identifier)
    assert not result.valid and result.reason == "status" and result.status == Status.SUSPENDED
    with pytest.raises(ValidationError) as twice:
        actions.suspend(actor=clerk_scj, licence=licence, reason="again")
    assert twice.value.code == "status_not_allowed"
    actions.restore(actor=clerk_scj, licence=licence)
    assert verification.verify(licence.identifier).valid
    actions.revoke(actor=clerk_scj, licence=licence, reason="以欺骗手段取得许可")
    result = verification.verify(licence.identifier)
    assert not result.valid and result.status == Status.REVOKED
    with pytest.raises(ValidationError):
        actions.restore(actor=clerk_scj, licence=licence)
    operations = list(licence.events.values_list("operation", flat=True))
    assert operations == ["issue", "suspend", "restore", "revoke"]


def test_a_renewal_is_a_new_version_that_names_the_previous(seal, clerk_scj, food_type, enterprise):
    first = issue(clerk_scj, food_type, enterprise)
    renewed = issue(clerk_scj, food_type, enterprise, previous=first)
    old, new = parse(first.identifier), parse(renewed.identifier)
    assert (new.serial, new.version) == (old.serial, "002")
    assert renewed.previous == first
    first.refresh_from_db()
    assert first.status == Status.EXPIRED
    assert not verification.verify(first.identifier).valid
    assert verification.verify(renewed.identifier).valid
    with pytest.raises(ValidationError) as again:
        issue(clerk_scj, food_type, enterprise, previous=first)
    assert again.value.code == "not_renewable"


def test_the_worker_expires_licences_whose_validity_ended(seal, clerk_scj, food_type, enterprise):
    licence = issue(clerk_scj, food_type, enterprise, valid_from=dt.date(2020, 1, 1))
    assert licence.valid_until == dt.date(2024, 12, 31)
    # Before the sweep, verification already answers by the signed end of validity.
    assert verification.verify(licence.identifier).status == Status.EXPIRED
    assert actions.expire_due(dt.date(2026, 12, 6)) == 1
    licence.refresh_from_db()
    assert licence.status == Status.EXPIRED
    assert licence.events.last().operation == "expire"
    assert actions.expire_due(dt.date(2026, 12, 6)) == 0


def test_the_worker_runs_the_expiry_sweep(settings, seal, clerk_scj, food_type, enterprise):
    from yiwang.licences import tasks

    assert "yiwang.licences.tasks.expire_due" in settings.YIWANG_PERIODIC_TASKS
    licence = issue(clerk_scj, food_type, enterprise, valid_from=dt.date(2020, 1, 1))
    tasks.expire_due.call()
    licence.refresh_from_db()
    assert licence.status == Status.EXPIRED


def test_tampering_with_the_record_is_detected(seal, clerk_scj, food_type, enterprise):
    licence = issue(clerk_scj, food_type, enterprise)
    metadata = dict(licence.metadata)
    metadata["valid_until"] = "2099-12-31"
    Licence.objects.filter(pk=licence.pk).update(metadata=metadata)
    result = verification.verify(licence.identifier)
    assert not result.valid and result.reason == "signature" and result.valid_until is None
    # A revoked licence set back to valid behind the signed statements' back.
    other = issue(clerk_scj, food_type, enterprise)
    actions.revoke(actor=clerk_scj, licence=other, reason="吊销")
    Licence.objects.filter(pk=other.pk).update(status=Status.VALID)
    result = verification.verify(other.identifier)
    assert not result.valid and result.reason == "signature"


def test_signatures_after_a_key_rotation_still_verify(
    seal, admin_scj, clerk_scj, food_type, enterprise
):
    before = issue(clerk_scj, food_type, enterprise)
    seals.rotate_key(actor=admin_scj, seal=seal, reason="年度轮换")
    after = issue(clerk_scj, food_type, enterprise)
    assert before.key_id != after.key_id
    assert verification.verify(before.identifier).valid
    assert verification.verify(after.identifier).valid


def test_malformed_and_unknown_identifiers(seal, clerk_scj, food_type, enterprise):
    licence = issue(clerk_scj, food_type, enterprise)
    wrong = licence.identifier[:-1] + ("A" if licence.identifier[-1] != "A" else "B")
    with pytest.raises(CheckCharacterError):
        verification.verify(wrong)
    valid_other = str(parse(licence.identifier).next_version())
    with pytest.raises(verification.UnknownLicence):
        verification.verify(valid_other)


def test_the_system_issues_for_automatic_issuance(seal, food_type, enterprise):
    licence = issue(SYSTEM, food_type, enterprise)
    assert verification.verify(licence.identifier).valid
