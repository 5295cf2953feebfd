"""Fixtures: a small 大埔县 (market regulation, civil affairs, the data authority), its data
authority and administrators, and resources published through ``datahub.actions``: open,
conditionally open, closed, withdrawn and never published ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from yiwang.datahub import actions
from yiwang.testing import county as build
from yiwang.testing.county import BUILDER as SYSTEM

SHAPES = Path(__file__).resolve().parents[3] / "tests/data/dcat-ap-3.0.0/dcat-ap-SHACL.ttl"


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.YIWANG_PUBLIC_URL = "https://data.dabu.example"


@pytest.fixture
def places(db):
    actions.ensure_reference_data(actor=SYSTEM)  # a flushed (transactional) database has none
    return build.build_regions(SYSTEM, towns=())


@pytest.fixture
def depts(places):
    return build.build_departments(SYSTEM, places, ["scj", "mzj", "sjj"])


@pytest.fixture
def authority(depts, places):
    return build.make_staff(SYSTEM, "authority", "authority", depts["sjj"], places["county"])


def items(n: int = 0) -> list[dict]:
    return [
        {
            "name": "许可证编号",
            "column": "licence_no",
            "data_type": "string",
            "max_length": 30,
            "grade": "g1",
        },
        {
            "name": "经营者名称",
            "column": "operator_name",
            "data_type": "string",
            "grade": "g1",
            "description": "企业或个体工商户名称",
        },
        {"name": "发证日期", "column": "issued_on", "data_type": "date", "grade": "g1"},
        {
            "name": "法定代表人身份证号码",
            "column": "legal_rep_id",
            "data_type": "string",
            "max_length": 18,
            "grade": "g4",
            "mask": "hidden",
            "personal": True,
        },
    ]


@pytest.fixture
def publish(depts, authority, django_capture_on_commit_callbacks):
    """Create and publish a resource (the authority acts), returning it refreshed."""

    def make(
        name="食品经营许可信息", provider="scj", open_type="open", classification="301", **extra
    ):
        fields = {
            "name": name,
            "classification": classification,
            "provider": depts[provider],
            "summary": f"{name}：本县依法公开的许可信息。",
            "format": "database",
            "sharing_type": "unconditional",
            "sharing_method": "interface",
            "open_type": open_type,
            "update_cycle": "monthly",
            "items": items(),
            "key_item": "licence_no",
        }
        fields.update(extra)
        with django_capture_on_commit_callbacks(execute=True):
            resource = actions.create_resource(actor=authority, **fields)
            actions.submit(actor=authority, resource=resource)
            actions.publish(actor=authority, resource=resource)
        resource.refresh_from_db()
        return resource

    return make


@pytest.fixture
def open_set(publish, authority, depts, django_capture_on_commit_callbacks):
    """Two open, one conditional, one closed, one withdrawn and one draft resource."""
    licence = publish()
    hotline = publish(
        name="12345热线受理情况（按月）",
        provider="sjj",
        classification="315",
        update_cycle="monthly",
    )
    welfare = publish(
        name="养老服务机构名录",
        provider="mzj",
        open_type="conditional",
        classification="302",
        update_cycle="yearly",
    )
    closed = publish(name="内部工作台账", provider="mzj", open_type="closed", classification="302")
    gone = publish(name="已撤回的许可信息", provider="scj", classification="301")
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw(actor=authority, resource=gone, reasons="数据有误")
    gone.refresh_from_db()
    draft = actions.create_resource(
        actor=authority,
        name="尚未发布的数据",
        classification="301",
        provider=depts["scj"],
        summary="草稿",
        format="database",
        sharing_type="unconditional",
        sharing_method="interface",
        open_type="open",
        update_cycle="daily",
        items=items(),
        key_item="licence_no",
    )
    return {
        "licence": licence,
        "hotline": hotline,
        "welfare": welfare,
        "closed": closed,
        "gone": gone,
        "draft": draft,
    }


def name(resource) -> str:
    return f"dataset-{resource.code}"
