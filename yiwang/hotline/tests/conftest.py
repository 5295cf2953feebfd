"""A small county with a 12345 centre, built through the apps' own actions."""

from types import SimpleNamespace

import pytest

from yiwang.hotline.models import Category, DispatchRule
from yiwang.testing import county
from yiwang.testing.county import PASSWORD as PASSWORD  # the tests import it from here
from yiwang.web.testing import pdf_file as pdf_file  # the tests import it from here
from yiwang.web.testing import png_file as png_file

HULIAO_POINT = ("24.350100", "116.695200")


def staff(admin, username, role, dept, region):
    return county.make_staff(admin, username, role, dept, region)


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = county.make_superuser()
    places = county.build_regions(admin, villages=["chengdong"])
    dabu, huliao, chengdong = places["county"], places["huliao"], places["chengdong"]
    gaobei = places["gaobei"]
    depts = county.build_departments(admin, places, ["scj", "zjj", "sjj", "huliao_gov"])
    scj, zjj, sjj, huliao_gov = (depts[key] for key in ("scj", "zjj", "sjj", "huliao_gov"))

    agent = staff(admin, "agent", "agent", sjj, dabu)
    dispatcher = staff(admin, "dispatcher", "dispatcher", sjj, dabu)
    dispatcher_gaobei = staff(admin, "dispatcher_gaobei", "dispatcher", None, gaobei)
    agent_gaobei = staff(admin, "agent_gaobei", "agent", None, gaobei)
    handler_scj = staff(admin, "handler_scj", "handler", scj, dabu)
    handler_zjj = staff(admin, "handler_zjj", "handler", zjj, dabu)
    handler_scj_gaobei = staff(admin, "handler_scj_gaobei", "handler", scj, gaobei)
    handler_huliao = staff(admin, "handler_huliao", "handler", huliao_gov, huliao)
    leader = staff(admin, "leader", "leader", None, dabu)
    citizen = county.make_citizen(
        "citizen", real_name="李梅", id_number="441422199001011232", phone="13800138000"
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
