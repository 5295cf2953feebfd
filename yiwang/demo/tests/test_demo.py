import datetime
import io
import sys
import types

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from stdnum.cn import ric, uscc

from yiwang.accounts.models import Enterprise, EnterpriseAgent, Kind, User
from yiwang.accounts.testing import force_login_with_second_factor
from yiwang.audit.actions import verify
from yiwang.audit.models import AuditEntry
from yiwang.demo import codes, demo_logins, loader
from yiwang.demo import orgs as org_data
from yiwang.demo import people as people_data
from yiwang.demo import regions as region_data
from yiwang.orgs.models import Department, Hall, Post, Window
from yiwang.regions.models import Level, Region

pytestmark = pytest.mark.django_db

BRIEF_LOGINS = [
    "admin", "authority", "leader", "auditor", "window_county", "window_huliao", "window_gaobei",
    "reviewer_scj", "approver_scj", "admin_scj", "reviewer_mzj", "approver_mzj",
    "reviewer_gaobei", "approver_gaobei", "reviewer_scj_huliao", "citizen", "citizen2", "enterprise",
]  # fmt: skip


def test_data_modules_hold_valid_identifiers():
    """Pure data checks (no database needed)."""
    for key, spec in org_data.DEPARTMENTS.items():
        assert uscc.is_valid(spec["uscc"]), key
        assert spec["uscc"][2:8] == "441422", key
        assert codes.is_valid_organisation_code(spec["uscc"][8:17]), key
    assert len({s["uscc"] for s in org_data.DEPARTMENTS.values()}) == len(org_data.DEPARTMENTS)
    for spec in people_data.ENTERPRISES:
        assert uscc.is_valid(spec["uscc"]) and spec["uscc"][2:8] == "441422", spec["name"]
        assert codes.is_valid_organisation_code(spec["uscc"][8:17]), spec["name"]
    assert people_data.ENTERPRISES[0]["uscc"].startswith("91441422")

    residents = [*people_data.CITIZENS, people_data.ENTERPRISE_AGENT]
    for username, _name, sex, id_number, phone, town in residents:
        assert ric.is_valid(id_number), username
        assert id_number[:6] in {"441422", "442422"}, username  # 442422 = 大埔县 before 1988
        assert codes.is_female_id(id_number) == (sex == "F"), username
        assert phone.startswith("138") and len(phone) == 11 and phone.isdigit(), username
        assert town in dict(region_data.TOWNS), username
    assert len({r[3] for r in residents}) == len(residents)
    assert len({r[4] for r in residents}) == len(residents)
    li = people_data.CITIZENS[0]
    assert li[:2] == ("citizen", "李梅") and li[3].startswith("441422")
    assert ric.get_birth_date(li[3]).year == 1990 and codes.is_female_id(li[3])
    assert people_data.CITIZENS[1][1] == "张伟" and not codes.is_female_id(
        people_data.CITIZENS[1][3]
    )
    assert len(people_data.CITIZENS) >= 22

    # Helpers agree with python-stdnum and with the standard's worked examples.
    assert codes.make_uscc("1", "1", "100000", "00001333") == "11100000000013338W"
    assert codes.make_uscc("1", "1", "220000", "01354454") == "11220000013544541J"
    assert codes.make_uscc("1", "1", "430000", "00612224") == "11430000006122244L"
    assert not uscc.is_valid("91350100M000100Y4Z")
    rid = codes.make_resident_id("441422", datetime.date(1990, 1, 1), 2)
    assert ric.is_valid(rid) and codes.is_female_id(rid)


def test_demo_logins_cover_the_brief():
    logins = demo_logins()
    domain = [u for u, _ in people_data.DOMAIN_LOGINS]
    assert [u for u, _ in logins if u not in domain] == BRIEF_LOGINS
    assert {"agent_12345", "dispatcher_12345", "grid_huliao"} <= set(domain)
    descriptions = dict(logins)
    assert descriptions["window_huliao"] == "窗口人员 · 湖寮镇便民服务中心"
    assert "仅湖寮镇" in descriptions["reviewer_scj_huliao"]
    extra = dict(demo_logins(include_extra=True))
    for key in org_data.DEPARTMENTS:
        assert f"reviewer_{key}" in extra and f"approver_{key}" in extra, key


def test_load_demo_builds_everything_and_is_idempotent():
    counts = loader.load_demo(with_items=False)

    # Regions: the chain, 14 towns + 1 farm, ≥ 80 villages, prefix-consistent codes.
    county = Region.objects.get(code="441422")
    assert county.path == "440000/441400/441422/"
    assert county.parent.name == "梅州市" and county.parent.parent.name == "广东省"
    towns = list(Region.objects.filter(parent=county))
    assert len(towns) == 15
    assert {t.level for t in towns} == {Level.TOWN}
    assert sum(t.name.endswith("镇") for t in towns) == 14
    assert Region.objects.get(code="441422400").name == "丰溪林场"
    assert Region.objects.get(code="441422100").name == "湖寮镇"
    villages = Region.objects.filter(level=Level.VILLAGE).select_related("parent")
    assert villages.count() >= 80
    for village in villages:
        assert len(village.code) == 12 and village.code.startswith(village.parent.code)
        assert village.parent.level == Level.TOWN
        assert village.path == village.parent.path + village.code + "/"
    for town in towns:
        assert len(town.code) == 9 and town.code.startswith("441422")
        n = town.children.count()
        assert n >= (8 if town.name in {"湖寮镇", "高陂镇", "茶阳镇"} else 3), town.name
    assert counts["towns"] == 15 and counts["villages"] == villages.count()

    # Departments, halls, windows.
    departments = {d.uscc: d for d in Department.objects.select_related("region")}
    assert len(departments) == len(org_data.DEPARTMENTS) == 18
    for spec in org_data.DEPARTMENTS.values():
        dept = departments[spec["uscc"]]
        assert uscc.is_valid(dept.uscc) and dept.name == spec["name"]
    assert departments[org_data.DEPARTMENTS["huliao"]["uscc"]].region.name == "湖寮镇"
    county_hall = Hall.objects.get(name="大埔县政务服务中心")
    assert county_hall.region == county and "8:30" in county_hall.opening_hours
    assert county_hall.windows.count() == 7
    for name in ("湖寮镇便民服务中心", "高陂镇便民服务中心", "茶阳镇便民服务中心"):
        assert Hall.objects.get(name=name).windows.count() == 2

    # People: every demo login authenticates; IDs valid; posts scoped as specified.
    domain = {u for u, _ in people_data.DOMAIN_LOGINS}  # created by the domain demos
    for username in [u for u, _ in demo_logins(include_extra=True) if u not in domain]:
        user = authenticate(username=username, password=people_data.PASSWORD)
        assert user is not None and user.username == username, username
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.kind == Kind.STAFF
    citizens = User.objects.filter(kind=Kind.CITIZEN)
    assert citizens.count() == len(people_data.CITIZENS) + 1  # + the enterprise agent
    for citizen in citizens:
        assert ric.is_valid(citizen.id_number), citizen.username
    li = User.objects.get(username="citizen")
    assert li.real_name == "李梅" and li.id_number.startswith("441422")

    def post(username):
        posts = list(
            Post.objects.filter(user__username=username).select_related(
                "department", "region", "hall", "window"
            )
        )
        assert len(posts) == 1, username
        p = posts[0]
        return (
            p.role,
            p.department.uscc if p.department else None,
            p.region.code,
            p.hall.name if p.hall else None,
            p.window.number if p.window else None,
        )

    dept = {k: v["uscc"] for k, v in org_data.DEPARTMENTS.items()}
    assert post("authority") == ("authority", dept["sjj"], "441422", None, None)
    assert post("leader") == ("leader", None, "441422", None, None)
    assert post("auditor") == ("auditor", None, "441422", None, None)
    assert post("window_county") == ("window", dept["sjj"], "441422", "大埔县政务服务中心", "1")
    assert post("window_huliao")[:4] == (
        "window",
        dept["huliao"],
        "441422100",
        "湖寮镇便民服务中心",
    )
    assert post("window_gaobei")[:4] == (
        "window",
        dept["gaobei"],
        "441422103",
        "高陂镇便民服务中心",
    )
    assert post("reviewer_scj") == ("reviewer", dept["scj"], "441422", None, None)
    assert post("approver_scj") == ("approver", dept["scj"], "441422", None, None)
    assert post("admin_scj") == ("dept_admin", dept["scj"], "441422", None, None)
    assert post("reviewer_mzj")[:3] == ("reviewer", dept["mzj"], "441422")
    assert post("approver_mzj")[:3] == ("approver", dept["mzj"], "441422")
    assert post("reviewer_gaobei")[:3] == ("reviewer", dept["gaobei"], "441422103")
    assert post("approver_gaobei")[:3] == ("approver", dept["gaobei"], "441422103")
    assert post("reviewer_scj_huliao") == ("reviewer", dept["scj"], "441422100", None, None)
    for key in org_data.DEPARTMENTS:
        assert post(f"reviewer_{key}")[:2] == ("reviewer", dept[key]), key
        assert post(f"approver_{key}")[:2] == ("approver", dept[key]), key

    # Enterprises and agents.
    kejia = Enterprise.objects.get(name="大埔县客家味道餐饮有限公司")
    assert kejia.uscc.startswith("91441422") and uscc.is_valid(kejia.uscc)
    assert EnterpriseAgent.objects.get(enterprise=kejia).user.username == "enterprise"
    assert User.objects.get(username="enterprise").real_name == "王强"
    assert Enterprise.objects.count() == 3

    # Everything was written through audited actions; the chain is intact.
    assert AuditEntry.objects.filter(action="regions.create").count() == counts["regions"]
    assert AuditEntry.objects.filter(action="orgs.department.create").count() == 18
    assert verify().ok
    assert counts["created"] > 0

    # Second run: nothing changes.
    audit_rows = AuditEntry.objects.count()
    again = loader.load_demo(with_items=False)
    assert again.pop("created") == 0
    counts.pop("created")
    assert again == counts
    assert AuditEntry.objects.count() == audit_rows


def test_load_demo_runs_the_domain_demos_in_order_as_the_admin(monkeypatch):
    fake = types.ModuleType("yiwang_fake_demo")
    seen = []

    def first(actor):
        seen.append(("first", actor.username))
        return 7

    def second(actor):
        seen.append(("second", actor.username))
        return {"articles": 3}

    fake.first, fake.second = first, second
    monkeypatch.setitem(sys.modules, "yiwang_fake_demo", fake)
    monkeypatch.setattr(
        loader,
        "DOMAIN_DEMOS",
        (("items", "yiwang_fake_demo.first"), ("knowledge", "yiwang_fake_demo.second")),
    )
    monkeypatch.setattr(loader, "load_people", lambda actor, log=None: 0)  # keep it quick
    counts = loader.load_demo()
    assert counts["items"] == 7 and counts["knowledge_articles"] == 3
    assert seen == [("first", "admin"), ("second", "admin")]
    assert "items" not in loader.load_demo(with_items=False)


def test_demo_command_prints_counts_and_logins(monkeypatch):
    monkeypatch.setattr(loader, "load_people", lambda actor, log=None: 0)
    monkeypatch.setattr(
        "yiwang.demo.management.commands.demo.load_demo",
        lambda stdout=None, with_items=True: {"regions": 112, "created": 0},
    )
    out = io.StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert "regions" in text and "112" in text
    for username in BRIEF_LOGINS:
        assert username in text
    assert "Dabu@2026.gov" in text and "湖寮镇便民服务中心" in text
    out = io.StringIO()
    call_command("demo", "--logins-only", "--all", stdout=out)
    assert "reviewer_wjj" in out.getvalue() and "regions" not in out.getvalue()


def test_admin_pages_list_the_demo_data(client, django_assert_max_num_queries):
    loader.load_demo(with_items=False)
    force_login_with_second_factor(client, User.objects.get(username="admin"))
    for url, expected in [
        ("/admin/regions/region/?q=441422100", "黄砂村"),
        ("/admin/regions/region/?level__exact=4", "丰溪林场"),
        ("/admin/orgs/department/?q=市场", "1144142200691599XJ"),
        ("/admin/orgs/hall/", "茶阳镇便民服务中心"),
        ("/admin/orgs/window/", "出件窗口"),
        ("/admin/orgs/post/?role__exact=reviewer", "饶晓东"),
    ]:
        with django_assert_max_num_queries(15):
            response = client.get(url)
        assert response.status_code == 200, url
        assert expected in response.text, url
    hall = Hall.objects.get(name="湖寮镇便民服务中心")
    response = client.get(f"/admin/orgs/hall/{hall.pk}/change/")
    assert response.status_code == 200
    assert Window.objects.filter(hall=hall).count() == 2
