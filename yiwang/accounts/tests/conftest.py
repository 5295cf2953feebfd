"""Fixtures for the accounts tests: a small region tree, departments, people, an SMS outbox."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from stdnum.cn import ric, uscc

from yiwang.audit.actors import SYSTEM
from yiwang.testing import county
from yiwang.testing.county import PASSWORD as PASSWORD  # the tests import it from here


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
    places = county.build_regions(SYSTEM, villages=["huangsha"])
    places["village"] = places.pop("huangsha")
    return places


@pytest.fixture
def departments(regions):
    return county.build_departments(SYSTEM, regions, ["scj", "mzj"])


@pytest.fixture
def citizen(db):
    # These tests log in and receive SMS codes with the number: their own, not the shared one.
    return county.make_citizen(
        "limei", id_number=make_id_number("19850312", 201), phone="13800138001"
    )


@pytest.fixture
def citizen2(db):
    return county.make_citizen(
        "zhangwei", id_number=make_id_number("19790605", 311), phone="13800138002"
    )


@pytest.fixture
def staff(regions, departments):
    return county.make_staff(
        SYSTEM,
        "reviewer_scj",
        "reviewer",
        departments["scj"],
        regions["county"],
        real_name="陈审核",
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
