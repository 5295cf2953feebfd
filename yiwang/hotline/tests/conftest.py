"""A small county with a 12345 centre, built through the apps' own actions."""

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yiwang.accounts import actions as accounts
from yiwang.accounts.models import User
from yiwang.hotline.models import Category, DispatchRule
from yiwang.orgs import actions as orgs
from yiwang.regions import actions as regions
from yiwang.web.testing import MINIMAL_PDF

PASSWORD = "Dabu@2026.gov"
HULIAO_POINT = ("24.350100", "116.695200")


def png_file(name="photo.png") -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def pdf_file(name="scan.pdf") -> SimpleUploadedFile:
    body = MINIMAL_PDF
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def staff(admin, username, role, dept, region):
    return accounts.create_staff(
        actor=admin,
        username=username,
        password=PASSWORD,
        real_name=username,
        posts=[{"role": role, "department": dept, "region": region}],
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
    chengdong = regions.create_region(
        actor=admin, code="441422100001", name="城东社区", level=5, parent=huliao
    )
    gaobei = regions.create_region(
        actor=admin, code="441422103", name="高陂镇", level=4, parent=dabu
    )

    def dept(name, uscc, region):
        return orgs.create_department(
            actor=admin, name=name, short_name=name[3:], uscc=uscc, region=region
        )

    scj = dept("大埔县市场监督管理局", "1144142200691599XJ", dabu)
    zjj = dept("大埔县住房和城乡建设局", "114414220069061455", dabu)
    sjj = dept("大埔县政务服务数据管理局", "11441422006978077D", dabu)
    huliao_gov = dept("大埔县湖寮镇人民政府", "114414220069311722", huliao)

    agent = staff(admin, "agent", "agent", sjj, dabu)
    dispatcher = staff(admin, "dispatcher", "dispatcher", sjj, dabu)
    dispatcher_gaobei = staff(admin, "dispatcher_gaobei", "dispatcher", None, gaobei)
    agent_gaobei = staff(admin, "agent_gaobei", "agent", None, gaobei)
    handler_scj = staff(admin, "handler_scj", "handler", scj, dabu)
    handler_zjj = staff(admin, "handler_zjj", "handler", zjj, dabu)
    handler_scj_gaobei = staff(admin, "handler_scj_gaobei", "handler", scj, gaobei)
    handler_huliao = staff(admin, "handler_huliao", "handler", huliao_gov, huliao)
    leader = staff(admin, "leader", "leader", None, dabu)
    citizen = accounts.create_citizen(
        actor=None,
        username="citizen",
        password=PASSWORD,
        real_name="李梅",
        id_number="441422199001011232",
        phone="13800138000",
    )

    env = Category.objects.create(name="市容环境", code="01", level=1)
    street = Category.objects.create(name="占道经营", code="0101", level=2, parent=env)
    stall = Category.objects.create(name="流动摊贩", code="010101", level=3, parent=street)
    noise = Category.objects.create(name="噪声扰民", code="0102", level=2, parent=env)
    market = Category.objects.create(name="市场监管", code="02", level=1)
    food = Category.objects.create(name="食品安全", code="0201", level=2, parent=market)
    price = Category.objects.create(name="价格投诉", code="0202", level=2, parent=market)
    build = Category.objects.create(name="城乡建设", code="03", level=1)
    illegal = Category.objects.create(name="违章建筑", code="0301", level=2, parent=build)

    rule = DispatchRule.objects.create(category=env, region=dabu, lead_department=zjj)
    DispatchRule.objects.create(category=env, region=huliao, lead_department=huliao_gov)
    r2 = DispatchRule.objects.create(category=market, region=dabu, lead_department=scj)
    r2.co_departments.add(zjj)
    DispatchRule.objects.create(category=illegal, region=dabu, lead_department=zjj)
    return SimpleNamespace(
        admin=admin,
        dabu=dabu,
        huliao=huliao,
        chengdong=chengdong,
        gaobei=gaobei,
        scj=scj,
        zjj=zjj,
        sjj=sjj,
        huliao_gov=huliao_gov,
        agent=agent,
        agent_gaobei=agent_gaobei,
        dispatcher=dispatcher,
        dispatcher_gaobei=dispatcher_gaobei,
        handler_scj=handler_scj,
        handler_zjj=handler_zjj,
        handler_scj_gaobei=handler_scj_gaobei,
        handler_huliao=handler_huliao,
        leader=leader,
        citizen=citizen,
        env=env,
        stall=stall,
        noise=noise,
        food=food,
        price=price,
        illegal=illegal,
        rule=rule,
    )
