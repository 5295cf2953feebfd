"""A county with two staff members, an auditor and a citizen; reveals are made on a
department (any model works as the object a reveal is bound to)."""

from types import SimpleNamespace

import pytest

from yiwang.privacy import actions
from yiwang.testing import county

PASSWORD = "Dabu@2026.govx"
ID_NUMBER = county.CITIZENS["limei"]["id_number"]
PHONE = county.CITIZENS["limei"]["phone"]


def staff(admin, username, role, dept, region, real_name=None):
    return county.make_staff(
        admin, username, role, dept, region, real_name=real_name, password=PASSWORD
    )


@pytest.fixture
def world(db, settings):
    settings.YIWANG_REVEAL_LIMIT_PER_HOUR = 3
    settings.YIWANG_REVEAL_LIMIT_PER_DAY = 5
    admin = county.make_superuser(password=PASSWORD)
    places = county.build_regions(admin, towns=())
    dabu = places["county"]
    scj = county.build_departments(admin, places, ["scj"])["scj"]
    citizen = county.make_citizen("limei", password=PASSWORD)
    return SimpleNamespace(
        admin=admin,
        dabu=dabu,
        scj=scj,
        citizen=citizen,
        reviewer=staff(admin, "reviewer", "reviewer", scj, dabu, "钟文辉"),
        reviewer2=staff(admin, "reviewer2", "reviewer", scj, dabu, "温建新"),
        auditor=staff(admin, "auditor", "auditor", None, dabu, "林静"),
        auditor2=staff(admin, "auditor2", "auditor", None, dabu, "林二"),
    )


@pytest.fixture
def reveal(world):
    """Reveal on the department as ``actor`` (default: the reviewer), about the citizen."""

    def _reveal(actor=None, **kwargs):
        params = {
            "obj": world.scj,
            "field": "phone",
            "purpose": "contact",
            "reason": "电话告知补正材料",
            "subject": world.citizen,
            "object_label": "测试对象",
        }
        params.update(kwargs)
        return actions.record_disclosure(actor=actor or world.reviewer, **params)

    return _reveal
