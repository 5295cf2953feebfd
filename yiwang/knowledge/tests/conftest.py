"""Fixtures: a small 大埔县 (two departments), staff with posts, a citizen, the food-licence
item and a few knowledge articles. Everything is created through the owning apps' actions."""

from __future__ import annotations

import pytest

from yiwang.catalog import actions as catalog
from yiwang.catalog.process import default_process
from yiwang.knowledge import actions
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
    return build.build_departments(SYSTEM, places, ["scj", "mzj"])


@pytest.fixture
def authority(county):
    return build.make_staff(SYSTEM, "authority", "authority", None, county)


@pytest.fixture
def admin_scj(depts, county):
    return build.make_staff(SYSTEM, "admin_scj", "dept_admin", depts["scj"], county)


@pytest.fixture
def agent(depts, county):
    return build.make_staff(SYSTEM, "agent_12345", "agent", depts["mzj"], county)


@pytest.fixture
def citizen(db):
    return build.make_citizen("limei", phone="13800138001")


@pytest.fixture
def food_item(depts, authority):
    catalog.ensure_item_type(actor=SYSTEM, code="XK", name="行政许可")
    item = catalog.create_item(
        actor=authority,
        name="食品经营许可（新办）",
        aliases="开饭店,开餐馆,餐饮店",
        item_type="XK",
        main_number="00012",
        sub_number="001",
        department=depts["scj"],
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        statutory_limit=20,
        promised_limit=5,
        procedure=["申请", "受理", "审查", "决定"],
        location="大埔县政务服务中心",
        consult_phone="0753-5522315",
        complaint_phone="12345",
        conditions="具有与经营的食品品种、数量相适应的经营场所",
        channels=["PC端", "窗口"],
    )
    catalog.set_materials(
        actor=authority,
        item=item,
        materials=[
            {"name": "食品经营许可申请书", "form": "original", "count": 1, "required": True}
        ],
    )
    catalog.set_process(actor=authority, item=item, steps=default_process(item))
    catalog.publish_item(actor=authority, item=item)
    return item


@pytest.fixture
def category(db):
    return actions.create_category(actor=SYSTEM, name="市场准入与经营")


ARTICLE_SPECS = [
    {
        "title": "开饭店需要办哪些证？",
        "question": "开个小吃店要办什么证？",
        "answer": "需要营业执照和食品经营许可证。\n\n1. 先办营业执照\n2. 再办食品经营许可",
        "aliases": "开饭店 开餐馆 餐饮店",
    },
    {
        "title": "开公司要办哪些手续？",
        "question": "注册公司怎么办？",
        "answer": "在广东政务服务网“开办企业一网通”办理营业执照、刻章、发票。",
        "aliases": "开公司 注册公司",
    },
    {
        "title": "农村自建房要办哪些手续？",
        "question": "在村里建房要审批吗？",
        "answer": "向村民小组提出建房申请，镇政府审批后核发乡村建设规划许可证，批准后才能动工。",
        "aliases": "农村建房 自建房",
    },
    {
        "title": "社保卡丢了怎么办？",
        "question": "社会保障卡不见了怎么补办？",
        "answer": "先挂失，再到人社窗口或合作银行补办。",
        "aliases": "补办社保卡",
    },
    {
        "title": "噪音扰民怎么投诉？",
        "question": "晚上很吵找谁？",
        "answer": "社会生活噪声可拨打 110，施工噪声拨打 12345。",
        "aliases": "噪音 扰民",
    },
]


def publish(article, actor, capture):
    with capture(execute=True):
        actions.publish_article(actor=actor, article=article)
    article.refresh_from_db()
    return article


@pytest.fixture
def articles(authority, category, django_capture_on_commit_callbacks):
    out = {}
    for spec in ARTICLE_SPECS:
        article = actions.create_article(actor=authority, category=category, **spec)
        out[spec["title"]] = publish(article, authority, django_capture_on_commit_callbacks)
    return out
