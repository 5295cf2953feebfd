"""The demo e-licences: the licence types a county issues, and on a fresh start the demo
enterprise holds its 食品经营许可证 and the demo citizens theirs, all signed and valid."""

import pytest

from yiwang.demo import datafiles, loader
from yiwang.demo.licences import DATA, load_licences
from yiwang.demo.seals import load_seals
from yiwang.licences import verification
from yiwang.licences.models import Licence, LicenceType

pytestmark = pytest.mark.django_db


def test_data_file_is_described_and_consistent():
    assert datafiles.read("licences")["about"].strip()
    codes = {t["code"] for t in DATA["types"]}
    assert len(codes) == len(DATA["types"]) and all(len(c) == 21 for c in codes)
    assert {spec["type"] for spec in DATA["licences"]} <= codes


def test_demo_licences_are_issued_once_signed_and_valid(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    admin, _ = loader.ensure_admin()
    loader.load_regions(admin)
    loader.load_orgs(admin)
    loader.load_people(admin)
    load_seals(admin)
    assert load_licences(admin) == len(DATA["licences"])
    assert load_licences(admin) == 0
    assert LicenceType.objects.count() == len(DATA["types"])
    food = Licence.objects.get(licence_type__name="食品经营许可证")
    assert food.holder_enterprise.name == "大埔县客家味道餐饮有限公司"
    assert Licence.objects.filter(holder_user__username="citizen").exists()
    for licence in Licence.objects.all():
        assert verification.verify(licence.identifier).valid, licence.identifier
