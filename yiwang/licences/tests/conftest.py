# ruff: noqa: F811  (the small county's fixtures imported below are used as arguments)
"""Fixtures: a small 大埔县 whose 市场监管局 has a seal and issues 食品经营许可证 to
enterprises, and whose 民政局 issues 结婚证-like person licences; a clerk of each, a citizen
and an enterprise."""

from __future__ import annotations

import pytest

from yiwang.accounts.models import Enterprise
from yiwang.licences.models import HolderKind, LicenceType
from yiwang.seals import actions as seals
from yiwang.testing import county as build
from yiwang.testing.county import BUILDER as SYSTEM
from yiwang.testing.small_county import (  # noqa: F401 (fixtures)
    admin_scj,
    citizen,
    depts,
    places,
)

FOOD_TYPE = "11100000000013338W032"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def clerk_scj(depts, places):
    return build.make_staff(SYSTEM, "clerk_scj", "reviewer", depts["scj"], places["county"])


@pytest.fixture
def clerk_mzj(depts, places):
    return build.make_staff(SYSTEM, "clerk_mzj", "reviewer", depts["mzj"], places["county"])


@pytest.fixture
def seal(admin_scj, depts):
    return seals.create_seal(actor=admin_scj, department=depts["scj"])


@pytest.fixture
def food_type(depts):
    return LicenceType.objects.create(
        code=FOOD_TYPE,
        name="食品经营许可证",
        definer="国家市场监督管理总局",
        holder_kind=HolderKind.ENTERPRISE,
        validity_years=5,
        issuer=depts["scj"],
        fields=[{"key": "经营场所", "label": "经营场所"}, {"key": "主体业态", "label": "主体业态"}],
    )


@pytest.fixture
def enterprise(db):
    return Enterprise.objects.create(name="大埔县湖寮镇客家饭店", uscc="92441422MA4X0YJ12M")
