"""A small county to handle cases in: built through the apps' own actions."""

from types import SimpleNamespace

import pytest

from yiwang.cases import actions
from yiwang.catalog import actions as catalog
from yiwang.catalog.models import ItemType
from yiwang.testing import county
from yiwang.testing.county import PASSWORD as PASSWORD  # the tests import it from here
from yiwang.web.testing import pdf_file as pdf_file  # the tests import it from here
from yiwang.web.testing import png_file as png_file

SCHEMA = {
    "type": "object",
    "properties": {
        "shop_name": {"type": "string", "title": "经营者名称", "maxLength": 50},
        "staff": {"type": "integer", "title": "从业人员数", "minimum": 1},
    },
    "required": ["shop_name", "staff"],
}
STEPS = [
    {"key": "accept", "name": "受理", "kind": "accept", "role": "reviewer", "limit_days": 1},
    {"key": "review", "name": "审查", "kind": "review", "role": "reviewer", "limit_days": 3},
    {"key": "decide", "name": "决定", "kind": "decide", "role": "approver", "limit_days": 1},
    {"key": "conclude", "name": "办结", "kind": "conclude", "role": "reviewer", "limit_days": 0},
]


def staff(admin, username, role, dept, region, hall=None):
    return county.make_staff(admin, username, role, dept, region, hall=hall)


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = county.make_superuser()
    places = county.build_regions(admin)
    dabu, huliao, gaobei = places["county"], places["huliao"], places["gaobei"]
    depts = county.build_departments(admin, places, ["scj", "mzj", "gaobei_gov"])
    scj, mzj, town = depts["scj"], depts["mzj"], depts["gaobei_gov"]
    hall_huliao = county.make_hall(admin, "湖寮镇便民服务中心", huliao)
    hall_gaobei = county.make_hall(admin, "高陂镇便民服务中心", gaobei)
    itype = ItemType.objects.get_or_create(code="XK", defaults={"name": "行政许可"})[0]

    def make_item(
        name, dept, region, main, statutory=20, promised=5, county_wide=True, audience="person"
    ):
        item = catalog.create_item(
            actor=admin,
            name=name,
            item_type=itype,
            main_number=main,
            sub_number="000",
            competent_department=dept,
            department=dept,
            region=region,
            legal_basis="《中华人民共和国食品安全法》第三十五条",
            statutory_limit=statutory,
            promised_limit=promised,
            form_schema=SCHEMA,
            county_wide=county_wide,
            audience=audience,
            conditions="持有营业执照",
            consult_phone="0753-5522001",
            complaint_phone="12345",
            location="大埔县政务服务中心 周一至周五 8:30-12:00",
            channels=["PC端", "窗口"],
        )
        catalog.set_materials(
            actor=admin,
            item=item,
            materials=[
                {"name": "申请书", "required": True},
                {"name": "营业执照", "required": True, "replaceable_by": "licence"},
                {"name": "场所平面图", "required": False},
            ],
        )
        catalog.set_process(actor=admin, item=item, steps=STEPS)
        catalog.publish_item(actor=admin, item=item)
        item.refresh_from_db()
        return item

    food = make_item("食品经营许可（新办）", scj, dabu, "00001")
    relief = make_item(
        "临时救助", town, gaobei, "00002", statutory=10, promised=3, county_wide=True
    )
    local_only = make_item("农村宅基地用地审批", town, gaobei, "00003", county_wide=False)
    citizen = county.make_citizen("limei")
    other_citizen = county.make_citizen("zhangwei")
    return SimpleNamespace(
        admin=admin,
        dabu=dabu,
        huliao=huliao,
        gaobei=gaobei,
        scj=scj,
        mzj=mzj,
        town=town,
        hall_huliao=hall_huliao,
        hall_gaobei=hall_gaobei,
        food=food,
        relief=relief,
        local_only=local_only,
        citizen=citizen,
        other_citizen=other_citizen,
        reviewer=staff(admin, "reviewer_scj", "reviewer", scj, dabu),
        approver=staff(admin, "approver_scj", "approver", scj, dabu),
        reviewer_mzj=staff(admin, "reviewer_mzj", "reviewer", mzj, dabu),
        reviewer_huliao=staff(admin, "reviewer_scj_huliao", "reviewer", scj, huliao),
        reviewer_town=staff(admin, "reviewer_gaobei", "reviewer", town, gaobei),
        window_huliao=staff(admin, "window_huliao", "window", None, huliao, hall_huliao),
        leader=staff(admin, "leader", "leader", None, dabu),
    )


@pytest.fixture
def submit(world):
    """Submit an online application for the food licence as the citizen."""
    counter = iter(range(10_000))

    def _submit(item=None, actor=None, **form):
        item = item or world.food
        material = item.materials.get(name="申请书")
        case, _ = actions.submit_application(
            actor=actor or world.citizen,
            item=item,
            form_data={"shop_name": "客家味道小吃店", "staff": "3", **form},
            uploads={material.pk: pdf_file()},
            submission_key=f"k{next(counter)}",
        )
        return case

    return _submit
