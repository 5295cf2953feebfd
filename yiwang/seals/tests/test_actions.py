"""The actions: success, refusal and bad input for each, rotation, and nothing half-done."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import ProtectedError
from django.utils import translation

from yiwang.audit.models import AuditEntry
from yiwang.gmcrypto import core, sm2
from yiwang.seals import actions, keys
from yiwang.seals.models import ImageSource, Seal, SealKey, SealKind
from yiwang.testing.county import BUILDER as SYSTEM
from yiwang.testing.county import make_superuser

from .conftest import jpeg_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in the code's language."""
    with translation.override("en"):
        yield


def stored_files(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def audit(action: str):
    return AuditEntry.objects.filter(action=action)


# --- create --------------------------------------------------------------------------------


def test_create_makes_a_seal_its_key_and_its_picture(admin_scj, depts):
    seal = actions.create_seal(actor=admin_scj, department=depts["scj"])
    assert seal.name == "大埔县市场监督管理局" and seal.kind == SealKind.OFFICIAL and seal.active
    assert seal.image_source == ImageSource.GENERATED and seal.created_by == admin_scj
    content = default_storage.open(seal.image.name).read()
    assert content.startswith(b"\x89PNG") and hashlib.sha256(content).hexdigest() == (
        seal.image_sha256
    )
    key = SealKey.objects.get(seal=seal)
    assert key.current and key.holder is None
    assert key.key_id == core.sm3_digest(bytes.fromhex(key.public_key)).hex()[:16]
    assert len(key.public_key) == 130 and key.public_key.startswith("04")
    # The private key is stored only sealed, and it is the public key's.
    private = sm2.open_private_key(key.sealed_private_key)
    assert private not in key.sealed_private_key
    assert sm2.public_key_of(private) == key.public_key
    entry = audit("seals.create").get()
    assert entry.actor == admin_scj and entry.object_id == str(seal.pk)
    assert entry.summary["after"]["key_id"] == key.key_id
    assert entry.summary["after"]["department"] == depts["scj"].uscc
    assert private not in str(entry.summary)


def test_create_with_an_uploaded_picture_and_a_special_purpose_kind(authority, depts):
    seal = actions.create_seal(
        actor=authority,
        department=depts["mzj"],
        name=" 大埔县民政局\t婚姻登记专用章 ",
        kind=SealKind.BUSINESS,
        image=upload(png_bytes(text="scanner note")),
    )
    assert seal.name == "大埔县民政局 婚姻登记专用章"  # whitespace and control characters go
    assert seal.image_source == ImageSource.UPLOADED
    stored = default_storage.open(seal.image.name).read()
    assert b"scanner note" not in stored  # re-encoded without metadata
    assert hashlib.sha256(stored).hexdigest() == seal.image_sha256


def test_platform_administrators_and_the_platform_manage_every_department(depts, authority):
    root = make_superuser()
    assert actions.create_seal(actor=root, department=depts["scj"]).created_by == root
    assert actions.create_seal(actor=authority, department=depts["mzj"]).active
    by_system = actions.create_seal(actor=SYSTEM, department=depts["sjj"])
    assert by_system.created_by is None
    assert audit("seals.create").get(object_id=str(by_system.pk)).actor_label == "test"


@pytest.mark.parametrize("who", ["admin_mzj", "reviewer_scj", "citizen", "nobody"])
def test_only_the_departments_administrators_create_its_seals(who, request, depts, media):
    actor = None if who == "nobody" else request.getfixturevalue(who)
    with pytest.raises(PermissionDenied, match="大埔县市场监督管理局"):
        actions.create_seal(actor=actor, department=depts["scj"])
    assert not Seal.objects.exists() and not SealKey.objects.exists()
    assert not audit("seals.create").exists()
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "大" * 41}, "name", "at most 40 characters"),
        ({"name": "\x00 \x07"}, "name", "Enter the seal's name"),
        ({"kind": "stamp"}, "kind", "Choose one of the listed seal kinds"),
        ({"image": upload(jpeg_bytes(), "seal.jpg", "image/jpeg")}, "image", "must be a PNG"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(
    admin_scj, depts, media, fields, field, message
):
    with pytest.raises(ValidationError) as caught:
        actions.create_seal(actor=admin_scj, department=depts["scj"], **fields)
    assert message in " ".join(caught.value.message_dict[field])
    if field == "image":  # the picture check's code survives
        assert caught.value.error_dict["image"][0].code == "file_type"
    assert not Seal.objects.exists() and not SealKey.objects.exists()
    assert stored_files(media) == []


def test_create_refuses_a_missing_department(admin_scj):
    with pytest.raises(ValidationError) as caught:
        actions.create_seal(actor=admin_scj, department=None, name="大埔县某局")
    assert "department" in caught.value.message_dict


def test_a_second_active_seal_of_the_same_name_and_kind_is_refused(seal, admin_scj, depts):
    with pytest.raises(ValidationError) as caught:
        actions.create_seal(actor=admin_scj, department=depts["scj"])
    assert caught.value.error_dict["name"][0].code == "duplicate_seal"
    # Another kind is another seal; after deactivation the name is free again.
    actions.create_seal(actor=admin_scj, department=depts["scj"], kind=SealKind.APPROVAL)
    actions.deactivate_seal(actor=admin_scj, seal=seal, reason="印章更换")
    assert actions.create_seal(actor=admin_scj, department=depts["scj"]).active
    assert Seal.objects.filter(department=depts["scj"]).count() == 3


def test_a_failure_after_storing_the_picture_leaves_nothing(admin_scj, depts, media, monkeypatch):
    def broken(**owner):
        raise RuntimeError("key store down")

    monkeypatch.setattr(keys, "create_key", broken)
    with pytest.raises(RuntimeError):
        actions.create_seal(actor=admin_scj, department=depts["scj"])
    assert not Seal.objects.exists() and not audit("seals.create").exists()
    assert stored_files(media) == []


# --- rotate --------------------------------------------------------------------------------


def test_rotation_retires_the_key_and_makes_a_new_one(seal, admin_scj):
    old = SealKey.objects.get(seal=seal)
    new = actions.rotate_key(actor=admin_scj, seal=seal, reason="定期更换")
    old.refresh_from_db()
    assert old.retired_at is not None and new.current and new.key_id != old.key_id
    assert list(SealKey.objects.filter(seal=seal, retired_at__isnull=True)) == [new]
    entry = audit("seals.rotate_key").get()
    assert entry.summary["before"] == {"key_id": old.key_id}
    assert entry.summary["after"] == {"key_id": new.key_id}
    assert entry.summary["reason"] == "定期更换"
    # Twice more: every retired key is kept.
    actions.rotate_key(actor=admin_scj, seal=seal)
    actions.rotate_key(actor=admin_scj, seal=seal)
    assert SealKey.objects.filter(seal=seal).count() == 4
    assert SealKey.objects.filter(seal=seal, retired_at__isnull=True).count() == 1


def test_rotation_refusals(seal, admin_mzj, reviewer_scj, admin_scj):
    for actor in (admin_mzj, reviewer_scj):
        with pytest.raises(PermissionDenied):
            actions.rotate_key(actor=actor, seal=seal)
    with pytest.raises(ValidationError) as caught:
        actions.rotate_key(actor=admin_scj, seal=seal, reason="x" * 201)
    assert "reason" in caught.value.message_dict
    actions.deactivate_seal(actor=admin_scj, seal=seal, reason="撤销")
    with pytest.raises(ValidationError) as caught:
        actions.rotate_key(actor=admin_scj, seal=seal)
    assert caught.value.code == "seal_inactive"
    assert SealKey.objects.filter(seal=seal).count() == 1
    assert not audit("seals.rotate_key").exists()


def test_seal_keys_are_never_deleted(seal):
    key = SealKey.objects.get(seal=seal)
    with pytest.raises(ProtectedError):
        key.delete()
    with pytest.raises(ProtectedError):
        SealKey.objects.all().delete()
    with pytest.raises(ProtectedError):
        seal.delete()
    assert SealKey.objects.filter(pk=key.pk).exists()


# --- image ---------------------------------------------------------------------------------


def test_replace_the_picture_and_go_back_to_the_generated_one(seal, admin_scj):
    generated = seal.image_sha256
    actions.replace_image(actor=admin_scj, seal=seal, image=upload(png_bytes()))
    seal.refresh_from_db()
    assert seal.image_source == ImageSource.UPLOADED and seal.image_sha256 != generated
    actions.replace_image(actor=admin_scj, seal=seal)
    seal.refresh_from_db()
    assert seal.image_source == ImageSource.GENERATED and seal.image_sha256 == generated
    entries = audit("seals.replace_image").order_by("seq")
    assert [e.summary["after"]["image_source"] for e in entries] == ["uploaded", "generated"]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (jpeg_bytes(), "file_type"),
        (b"%PDF-1.4 not an image", "file_type"),
        (png_bytes(150, 150), "image_too_small"),
        (png_bytes(400, 200), "image_not_square"),
        (png_bytes()[:60], "image_unreadable"),
        (b"", "file_empty"),
    ],
)
def test_bad_pictures_are_refused_and_nothing_changes(seal, admin_scj, media, content, code):
    before = (seal.image.name, seal.image_sha256)
    files = stored_files(media)
    with pytest.raises(ValidationError) as caught:
        actions.replace_image(actor=admin_scj, seal=seal, image=upload(content))
    assert caught.value.error_dict["image"][0].code == code
    seal.refresh_from_db()
    assert (seal.image.name, seal.image_sha256) == before
    assert stored_files(media) == files
    assert not audit("seals.replace_image").exists()


def test_a_picture_over_two_megabytes_is_refused(seal, admin_scj):
    big = upload(png_bytes() + b"\0" * (2 * 1024 * 1024))
    with pytest.raises(ValidationError) as caught:
        actions.replace_image(actor=admin_scj, seal=seal, image=big)
    assert "at most 2 MB" in caught.value.message_dict["image"][0]


def test_only_managers_replace_the_picture(seal, admin_mzj):
    with pytest.raises(PermissionDenied):
        actions.replace_image(actor=admin_mzj, seal=seal, image=upload(png_bytes()))


# --- deactivate ----------------------------------------------------------------------------


def test_deactivation_retires_the_key_and_needs_a_reason(seal, admin_scj, admin_mzj):
    with pytest.raises(ValidationError) as caught:
        actions.deactivate_seal(actor=admin_scj, seal=seal, reason="  ")
    assert "reason" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.deactivate_seal(actor=admin_mzj, seal=seal, reason="错误")
    seal.refresh_from_db()
    assert seal.active
    key = SealKey.objects.get(seal=seal)
    actions.deactivate_seal(actor=admin_scj, seal=seal, reason="机构改革，印章停用")
    seal.refresh_from_db()
    key.refresh_from_db()
    assert not seal.active and seal.deactivated_at is not None and key.retired_at is not None
    entry = audit("seals.deactivate").get()
    assert entry.summary["before"]["key_id"] == key.key_id
    assert entry.summary["reason"] == "机构改革，印章停用"
    with pytest.raises(ValidationError) as caught:
        actions.deactivate_seal(actor=admin_scj, seal=seal, reason="again")
    assert caught.value.code == "already_inactive"
    with pytest.raises(ValidationError):
        actions.replace_image(actor=admin_scj, seal=seal)


# --- staff signing keys --------------------------------------------------------------------


def test_staff_keys_are_issued_to_oneself_and_rotate(reviewer_scj, authority, admin_scj, citizen):
    first = actions.issue_staff_key(actor=reviewer_scj, holder=reviewer_scj)
    assert first.holder == reviewer_scj and first.seal is None and first.current
    second = actions.issue_staff_key(actor=authority, holder=reviewer_scj)
    first.refresh_from_db()
    assert first.retired_at is not None and second.current
    assert audit("seals.issue_staff_key").count() == 2
    with pytest.raises(PermissionDenied):
        actions.issue_staff_key(actor=admin_scj, holder=reviewer_scj)
    with pytest.raises(ValidationError) as caught:
        actions.issue_staff_key(actor=authority, holder=citizen)
    assert caught.value.code == "not_staff"
    assert SealKey.objects.filter(holder=reviewer_scj).count() == 2
