"""Fixtures: a small 大埔县 (market regulation, civil affairs and the data authority's
department), the data authority, two department data administrators, a window clerk, a
citizen, and resources registered through the actions."""

from __future__ import annotations

import pytest

from yiwang.datahub import actions
from yiwang.testing import county as build
from yiwang.testing.county import BUILDER as SYSTEM
from yiwang.testing.county import PASSWORD as PASSWORD  # the tests import it from here


@pytest.fixture
def places(db):
    return build.build_regions(SYSTEM, towns=())


@pytest.fixture
def county(places):
    return places["county"]


@pytest.fixture
def depts(places):
    return build.build_departments(SYSTEM, places, ["scj", "mzj", "sjj"])


@pytest.fixture
def authority(depts, county):
    return build.make_staff(SYSTEM, "authority", "authority", depts["sjj"], county)


@pytest.fixture
def admin_scj(depts, county):
    return build.make_staff(SYSTEM, "admin_scj", "dept_admin", depts["scj"], county)


@pytest.fixture
def admin_mzj(depts, county):
    return build.make_staff(SYSTEM, "admin_mzj", "dept_admin", depts["mzj"], county)


@pytest.fixture
def reviewer_scj(depts, county):
    return build.make_staff(SYSTEM, "reviewer_scj", "reviewer", depts["scj"], county)


@pytest.fixture
def clerk(depts, county):
    return build.make_staff(SYSTEM, "window_scj", "window", depts["scj"], county)


@pytest.fixture
def citizen(db):
    return build.make_citizen("limei")


def licence_items() -> list[dict]:
    return [
        {
            "name": "许可证编号",
            "column": "licence_no",
            "data_type": "string",
            "max_length": 30,
            "grade": "g1",
            "mask": "none",
        },
        {
            "name": "经营者名称",
            "column": "operator_name",
            "data_type": "string",
            "grade": "g1",
        },
        {
            "name": "法定代表人身份证号码",
            "column": "legal_rep_id",
            "data_type": "string",
            "max_length": 18,
            "grade": "g4",
            "mask": "id_number",
            "personal": True,
        },
    ]


def licence_fields(depts, **overrides) -> dict:
    fields = {
        "name": "食品经营许可信息",
        "classification": "301",
        "provider": depts["scj"],
        "summary": "本县食品经营许可证的核发、变更、延续和注销信息。",
        "format": "database",
        "sharing_type": "unconditional",
        "sharing_method": "interface",
        "open_type": "closed",
        "update_cycle": "daily",
        "items": licence_items(),
        "key_item": "licence_no",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def make_resource(depts, admin_scj):
    def make(actor=None, **overrides):
        return actions.create_resource(
            actor=actor or admin_scj, **licence_fields(depts, **overrides)
        )

    return make


@pytest.fixture
def draft(make_resource):
    return make_resource()


@pytest.fixture
def published(draft, admin_scj, authority, django_capture_on_commit_callbacks):
    actions.submit(actor=admin_scj, resource=draft)
    with django_capture_on_commit_callbacks(execute=True):
        actions.publish(actor=authority, resource=draft)
    draft.refresh_from_db()
    return draft
