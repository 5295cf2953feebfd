"""Fixtures of the sharing tests (no tests here): a published resource of 县市场监管局 with
unconditional, conditional, hidden and not-shared items; requests made through the actions.

The county fixtures (departments scj, mzj, sjj, the authority, their data administrators)
come from ``conftest.py``; the sharing test modules import what they use from here (not named test_*, so pytest
does not collect it as a module of tests)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from yiwang.datahub import actions
from yiwang.datahub.actions import sharing
from yiwang.testing import county as build
from yiwang.testing.county import BUILDER

from .conftest import licence_items

TZ = ZoneInfo("Asia/Shanghai")
#: The day before the 2025 国庆/中秋 holiday (10-01..10-08; Saturday 10-11 is a 调休 workday).
BEFORE_HOLIDAY = datetime.datetime(2025, 9, 30, 10, 0, tzinfo=TZ)
START = datetime.date(2025, 10, 1)
END = datetime.date(2026, 9, 30)

UNCONDITIONAL = ["licence_no", "operator_name"]
CONDITIONAL = ["operator_name", "legal_rep_id"]


def shared_items() -> list[dict]:
    return [
        *licence_items(),
        {
            "name": "内部核查备注",
            "column": "internal_note",
            "data_type": "string",
            "grade": "g2",
            "sharing_type": "none",
        },
        {
            "name": "银行账号",
            "column": "bank_no",
            "data_type": "string",
            "grade": "g4",
            "mask": "hidden",
            "personal": True,
        },
    ]


@pytest.fixture
def zjj(places):
    return build.build_departments(BUILDER, places, ["zjj"])["zjj"]


@pytest.fixture
def admin_zjj(zjj, county):
    return build.make_staff(BUILDER, "admin_zjj", "dept_admin", zjj, county)


@pytest.fixture
def shared(make_resource, admin_scj, authority, django_capture_on_commit_callbacks):
    """食品经营许可信息 (县市场监管局), published: licence_no, operator_name unconditional
    (g1), legal_rep_id conditional (g4), internal_note not shared, bank_no hidden."""
    resource = make_resource(items=shared_items())
    actions.submit(actor=admin_scj, resource=resource)
    with django_capture_on_commit_callbacks(execute=True):
        actions.publish(actor=authority, resource=resource)
    resource.refresh_from_db()
    return resource


@pytest.fixture
def ask(shared, admin_mzj):
    """Submit a request of 县民政局 for ``fields`` of the shared resource."""

    def submit(fields=None, actor=None, now=BEFORE_HOLIDAY, resource=None, **overrides):
        values = {
            "purpose": "核对低保申请人的经营情况",
            "scenario": "低保资格审核时查询申请人名下的食品经营许可",
            "legal_basis": "《社会救助暂行办法》第十一条",
            "period_start": START,
            "period_end": END,
        }
        values.update(overrides)
        return sharing.submit_request(
            actor=actor or admin_mzj,
            resource=resource or shared,
            fields=UNCONDITIONAL if fields is None else fields,
            now=now,
            **values,
        )

    return submit


@pytest.fixture
def at_provider(ask, authority):
    """A conditional request past the conformity review, waiting for the provider."""
    request = ask(CONDITIONAL)
    return sharing.review_request(
        actor=authority, request=request, approve=True, now=BEFORE_HOLIDAY
    )


@pytest.fixture
def refused_by_provider(at_provider, admin_scj):
    return sharing.decide_request(
        actor=admin_scj,
        request=at_provider,
        grant=False,
        reasons="法定代表人身份证号码仅限登记机关使用",
        now=BEFORE_HOLIDAY,
    )


@pytest.fixture
def granted(ask, authority):
    request = ask()
    sharing.review_request(actor=authority, request=request, approve=True, now=BEFORE_HOLIDAY)
    return request.grant
