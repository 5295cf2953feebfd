"""Fixtures for the accounts tests: a small region tree, departments, people, an SMS outbox."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from stdnum.cn import ric, uscc

from yiwang.accounts import actions
from yiwang.orgs.models import Department
from yiwang.regions.actions import create_region

PASSWORD = "Dabu@2026.gov"


def make_id_number(birth: str = "19900101", seq: int = 123, region: str = "441422") -> str:
    """A resident ID number with a correct check digit."""
    base = f"{region}{birth}{seq:03d}"
    return base + ric.calc_check_digit(base + "0")


def make_uscc(serial: str) -> str:
    base = f"11441422{serial:0>9}"[:17]
    return base + uscc.calc_check_digit(base)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def regions(db):
    province = create_region(actor=None, code="440000", name="广东省", level=1, parent=None)
    city = create_region(actor=None, code="441400", name="梅州市", level=2, parent=province)
    county = create_region(actor=None, code="441422", name="大埔县", level=3, parent=city)
    huliao = create_region(actor=None, code="441422100", name="湖寮镇", level=4, parent=county)
    gaobei = create_region(actor=None, code="441422101", name="高陂镇", level=4, parent=county)
    village = create_region(actor=None, code="441422100201", name="湖山村", level=5, parent=huliao)
    return {
        "province": province,
        "city": city,
        "county": county,
        "huliao": huliao,
        "gaobei": gaobei,
        "village": village,
    }


@pytest.fixture
def departments(regions):
    county = regions["county"]
    return {
        "scj": Department.objects.create(
            name="大埔县市场监督管理局", uscc=make_uscc("00000001"), region=county
        ),
        "mzj": Department.objects.create(
            name="大埔县民政局", uscc=make_uscc("00000002"), region=county
        ),
    }


@pytest.fixture
def citizen(db):
    return actions.create_citizen(
        actor=None,
        username="limei",
        password=PASSWORD,
        real_name="李梅",
        id_number=make_id_number("19850312", 201),
        phone="13800138001",
    )


@pytest.fixture
def citizen2(db):
    return actions.create_citizen(
        actor=None,
        username="zhangwei",
        password=PASSWORD,
        real_name="张伟",
        id_number=make_id_number("19790605", 311),
        phone="13800138002",
    )


@pytest.fixture
def staff(regions, departments):
    return actions.create_staff(
        actor=None,
        username="reviewer_scj",
        password=PASSWORD,
        real_name="陈审核",
        posts=[{"role": "reviewer", "department": departments["scj"], "region": regions["county"]}],
    )


class FakeGateway:
    def __init__(self, outbox):
        self.outbox = outbox

    def send(self, phone, text):
        self.outbox.append((phone, text))


@pytest.fixture
def sms_outbox(monkeypatch):
    from yiwang.notify import sms

    outbox: list[tuple[str, str]] = []
    monkeypatch.setattr(sms, "get_gateway", lambda: FakeGateway(outbox))
    return outbox


def solved_captcha(prefix: str = "") -> dict[str, str]:
    """POST data answering a fresh CAPTCHA correctly (the answer read from its store)."""
    from captcha.models import CaptchaStore

    key = CaptchaStore.generate_key()
    name = f"{prefix}-captcha" if prefix else "captcha"
    return {f"{name}_0": key, f"{name}_1": CaptchaStore.objects.get(hashkey=key).response}


def code_from(outbox) -> str:
    import re

    _phone, text = outbox[-1]
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", text)
    assert match, text
    return match.group(1)
