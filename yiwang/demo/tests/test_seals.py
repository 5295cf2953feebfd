"""The demo e-seals: the departments that issue licences get a seal each, with a working key
and a generated picture, idempotently, through the actions."""

import pytest

from yiwang.audit.models import AuditEntry
from yiwang.demo import datafiles, loader
from yiwang.demo import orgs as org_data
from yiwang.demo.seals import SEALS, load_seals
from yiwang.seals import signing
from yiwang.seals.models import Seal, SealKey, SealKind
from yiwang.testing.county import BUILDER

pytestmark = pytest.mark.django_db

ISSUERS = {"scj", "mzj", "cl", "jtj", "wjj"}  # 食品经营, 婚姻登记, 残疾人证, 道路运输, 医师执业


def test_data_file_is_described_and_consistent():
    assert datafiles.read("seals")["about"].strip()
    assert {s["department"] for s in SEALS} == ISSUERS
    assert set(org_data.DEPARTMENTS) >= ISSUERS
    assert {s["kind"] for s in SEALS} <= set(SealKind.values)


def test_demo_seals_load_idempotently_and_sign(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    admin, _ = loader.ensure_admin()
    loader.load_regions(admin)
    loader.load_orgs(admin)
    assert load_seals(admin) == len(ISSUERS)
    assert load_seals(admin) == 0
    departments = loader.departments_by_key()
    for key in ISSUERS:
        seal = Seal.objects.get(department=departments[key], active=True)
        assert seal.name == departments[key].name
        assert SealKey.objects.filter(seal=seal, retired_at__isnull=True).count() == 1
        assert signing.seal_image(seal).startswith(b"\x89PNG")
        assert signing.department_seal(departments[key]) == seal
    assert AuditEntry.objects.filter(action="seals.create").count() == len(ISSUERS)
    seal = signing.department_seal(departments["scj"])
    sig = signing.sign(seal, b"demo", purpose="demo check", actor=BUILDER)
    assert signing.verify(sig.key_id, b"demo", sig.signature)
