"""A county with two staff members, an auditor and a citizen; reveals are made on a
department (any model works as the object a reveal is bound to)."""

from types import SimpleNamespace

import pytest

from yiwang.accounts import actions as accounts
from yiwang.accounts.models import User
from yiwang.orgs import actions as orgs
from yiwang.privacy import actions
from yiwang.regions import actions as regions

PASSWORD = "Dabu@2026.govx"
ID_NUMBER = "11010519491231002X"
PHONE = "13800135678"


def staff(admin, username, role, dept, region, real_name=None):
    return accounts.create_staff(
        actor=admin,
        username=username,
        password=PASSWORD,
        real_name=real_name or username,
        posts=[{"role": role, "department": dept, "region": region}],
    )


@pytest.fixture
def world(db, settings):
    settings.YIWANG_REVEAL_LIMIT_PER_HOUR = 3
    settings.YIWANG_REVEAL_LIMIT_PER_DAY = 5
    admin = User.objects.create_superuser("root", password=PASSWORD, kind="staff")
    gd = regions.create_region(actor=admin, code="440000", name="广东省", level=1, parent=None)
    mz = regions.create_region(actor=admin, code="441400", name="梅州市", level=2, parent=gd)
    dabu = regions.create_region(actor=admin, code="441422", name="大埔县", level=3, parent=mz)
    scj = orgs.create_department(
        actor=admin,
        name="大埔县市场监督管理局",
        short_name="市场监管局",
        uscc="11441422007043513T",
        region=dabu,
    )
    citizen = accounts.create_citizen(
        actor=None,
        username="limei",
        password=PASSWORD,
        real_name="李梅",
        id_number=ID_NUMBER,
        phone=PHONE,
    )
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
