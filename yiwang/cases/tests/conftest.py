"""A small county to handle cases in: built through the apps' own actions."""

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yiwang.accounts import actions as accounts
from yiwang.accounts.models import User
from yiwang.catalog import actions as catalog
from yiwang.catalog.models import ItemType
from yiwang.orgs import actions as orgs
from yiwang.regions import actions as regions
from yiwang.web.testing import MINIMAL_PDF

PASSWORD = "Dabu@2026.gov"
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


def pdf_file(name="licence.pdf", size=0) -> SimpleUploadedFile:
    body = MINIMAL_PDF + b" " * size
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def png_file(name="photo.png") -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def staff(admin, username, role, dept, region, hall=None):
    return accounts.create_staff(
        actor=admin,
        username=username,
        password=PASSWORD,
        real_name=username,
        posts=[{"role": role, "department": dept, "region": region, "hall": hall}],
    )


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = User.objects.create_superuser("root", password=PASSWORD, kind="staff")
    gd = regions.create_region(actor=admin, code="440000", name="广东省", level=1, parent=None)
    mz = regions.create_region(actor=admin, code="441400", name="梅州市", level=2, parent=gd)
    dabu = regions.create_region(actor=admin, code="441422", name="大埔县", level=3, parent=mz)
    huliao = regions.create_region(
        actor=admin, code="441422100", name="湖寮镇", level=4, parent=dabu
    )
    gaobei = regions.create_region(
        actor=admin, code="441422102", name="高陂镇", level=4, parent=dabu
    )
    scj = orgs.create_department(
        actor=admin,
        name="大埔县市场监督管理局",
        short_name="市场监管局",
        uscc="11441422007043513T",
        region=dabu,
    )
    mzj = orgs.create_department(
        actor=admin,
        name="大埔县民政局",
        short_name="民政局",
        uscc="11441422007043521M",
        region=dabu,
    )
    town = orgs.create_department(
        actor=admin,
        name="大埔县高陂镇人民政府",
        short_name="高陂镇",
        uscc="114414220070450847",
        region=gaobei,
    )
    hall_huliao = orgs.create_hall(actor=admin, name="湖寮镇便民服务中心", region=huliao)
    hall_gaobei = orgs.create_hall(actor=admin, name="高陂镇便民服务中心", region=gaobei)
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
    citizen = accounts.create_citizen(
        actor=None,
        username="limei",
        password=PASSWORD,
        real_name="李梅",
        id_number="11010519491231002X",
        phone="13800135678",
    )
    other_citizen = accounts.create_citizen(
        actor=None,
        username="zhangwei",
        password=PASSWORD,
        real_name="张伟",
        id_number="440524188001010014",
        phone="13800135679",
    )
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
        from yiwang.cases import actions

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
