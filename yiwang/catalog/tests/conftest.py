"""Fixtures: a small 大埔县 with three departments, staff posts and item types.

Everything is created through the owning apps' actions (actor "test" = the platform).
"""

from __future__ import annotations

import pytest

from yiwang.catalog import actions
from yiwang.catalog.process import default_process
from yiwang.testing import county as build
from yiwang.testing.county import BUILDER as SYSTEM
from yiwang.testing.county import PASSWORD as PASSWORD  # the tests import it from here

USCC = {
    key: build.DEPARTMENTS[dept][2]
    for key, dept in [("scj", "scj"), ("mzj", "mzj"), ("gaobei", "gaobei_gov")]
}

FOOD_SCHEMA = {
    "type": "object",
    "properties": {
        "operator_name": {"type": "string", "title": "经营者名称", "maxLength": 100},
        "premises": {"type": "string", "title": "经营场所", "maxLength": 200},
        "category": {
            "type": "string",
            "title": "经营项目",
            "enum": ["热食类食品制售", "冷食类食品制售", "糕点类食品制售", "自制饮品制售"],
        },
        "staff_count": {"type": "integer", "title": "从业人员数", "minimum": 1},
        "phone": {
            "type": "string",
            "title": "联系电话",
            "pattern": r"^(1\d{10}|0\d{2,3}-?\d{7,8})$",
            "description": "11 位手机号或带区号的固定电话",
        },
        "opening_date": {"type": "string", "format": "date", "title": "拟开业日期"},
    },
    "required": ["operator_name", "premises", "category", "staff_count", "phone"],
}


@pytest.fixture
def places(db):
    return build.build_regions(SYSTEM)


@pytest.fixture
def county(places):
    return places["county"]


@pytest.fixture
def towns(places):
    return {key: places[key] for key in build.TOWNS}


@pytest.fixture
def depts(places):
    made = build.build_departments(SYSTEM, places, ["scj", "mzj", "gaobei_gov"])
    made["gaobei"] = made.pop("gaobei_gov")
    return made


@pytest.fixture
def item_types(db):
    return {
        code: actions.ensure_item_type(actor=SYSTEM, code=code, name=name)
        for code, name in [
            ("XK", "行政许可"),
            ("QR", "行政确认"),
            ("JF", "行政给付"),
            ("GG", "公共服务"),
            ("BA", "备案"),
        ]
    }


@pytest.fixture
def authority(county):
    return build.make_staff(SYSTEM, "authority", "authority", None, county)


@pytest.fixture
def admin_scj(depts, county):
    return build.make_staff(SYSTEM, "admin_scj", "dept_admin", depts["scj"], county)


@pytest.fixture
def admin_mzj(depts, county):
    return build.make_staff(SYSTEM, "admin_mzj", "dept_admin", depts["mzj"], county)


@pytest.fixture
def reviewer_scj(depts, county):
    return build.make_staff(SYSTEM, "reviewer_scj", "reviewer", depts["scj"], county)


def food_fields(depts, **overrides):
    fields = {
        "name": "食品经营许可（新办）",
        "aliases": "开饭店,开餐馆,餐饮店,小吃店,饭馆,奶茶店,食品店",
        "item_type": "XK",
        "main_number": "00012",
        "sub_number": "001",
        "department": depts["scj"],
        "legal_basis": "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
        "audience": "both",
        "scope": "在大埔县行政区域内从事食品销售和餐饮服务的经营者",
        "conditions": "具有与经营的食品品种、数量相适应的经营场所",
        "procedure": [
            {"name": "申请", "description": "网上或窗口提交申请"},
            "受理",
            "审查",
            "决定",
        ],
        "statutory_limit": 20,
        "promised_limit": 5,
        "fees": "不收费",
        "online_depth": 3,
        "visits": 0,
        "consult_phone": "0753-5522315",
        "complaint_phone": "0753-12345",
        "location": "大埔县政务服务中心 1-6 号综合受理窗口；周一至周五 8:30-12:00, 14:30-17:30",
        "channels": ["PC端", "移动端", "窗口"],
        "county_wide": True,
        "form_schema": FOOD_SCHEMA,
        "downloads": [{"name": "食品经营许可申请书", "url": "/static/catalog/forms/food.docx"}],
    }
    fields.update(overrides)
    return fields


FOOD_MATERIALS = [
    {"name": "食品经营许可申请书", "form": "original", "count": 1, "required": True},
    {
        "name": "营业执照",
        "form": "copy",
        "replaceable_by": "licence",
        "replaced_by": "91100000100013338W001",
    },
    {"name": "法定代表人身份证明", "form": "copy", "replaceable_by": "shared"},
    {"name": "经营场所平面图", "form": "electronic", "required": False},
]


@pytest.fixture
def food_item(depts, item_types, authority):
    item = actions.create_item(actor=authority, **food_fields(depts))
    actions.set_materials(actor=authority, item=item, materials=FOOD_MATERIALS)
    actions.set_process(actor=authority, item=item, steps=default_process(item))
    return item


@pytest.fixture
def published_food(food_item, authority, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.publish_item(actor=authority, item=food_item)
    return food_item
