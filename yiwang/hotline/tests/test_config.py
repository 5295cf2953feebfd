"""Reference data back office: categories, the dispatch catalogue, time limits (actions, pages)."""

from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiwang.accounts.testing import force_login_with_second_factor
from yiwang.audit.models import AuditEntry
from yiwang.hotline import actions, config, queries
from yiwang.hotline.models import Category, DispatchRule, TimeLimit
from yiwang.regions.models import Region
from yiwang.workdays import calendar as workdays

from .conftest import staff
from .test_actions import at, register


@pytest.fixture
def w(world):
    world.authority = staff(world.admin, "authority", "authority", world.sjj, world.dabu)
    world.market = Category.objects.get(code="02")
    world.street = Category.objects.get(code="0101")
    return world


def audits(action):
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def messages_of(exc) -> dict:
    return exc.value.message_dict


def deniers(w):
    """A handler, a dispatcher of a town, an agent and a citizen."""
    return [w.handler_scj, w.dispatcher_gaobei, w.agent, w.citizen]


# --- permission -------------------------------------------------------------------


def test_who_may_configure(w):
    assert config.can_configure(w.admin)
    assert config.can_configure(w.authority)
    assert config.can_configure(w.dispatcher)  # county dispatcher, post in 数据局
    for user in deniers(w):
        assert not config.can_configure(user)
    with pytest.raises(PermissionDenied) as exc:
        config.ensure_can_configure(w.dispatcher_gaobei)
    assert "只有数据管理员或县级12345派单员" in str(exc.value)


# --- categories -------------------------------------------------------------------


def test_create_category_sets_level_audits_and_refreshes_leaves(w):
    assert any(pk == w.noise.pk for pk, _n, _w in queries.leaf_categories())
    cat = config.create_category(
        actor=w.authority,
        code="010201",
        name="  广场舞   噪声 ",
        parent=w.noise,
        keywords="广场舞 音响",
        default_urgent=True,
    )
    assert (cat.level, cat.parent, cat.name) == (3, w.noise, "广场舞 噪声")
    (entry,) = audits("hotline.category_created")
    assert entry.actor_id == w.authority.pk and entry.object_id == str(cat.pk)
    assert entry.summary["after"]["parent"] == "0102"
    assert entry.summary["after"]["default_urgent"] is True
    leaves = {pk for pk, _n, _w in queries.leaf_categories()}
    assert cat.pk in leaves and w.noise.pk not in leaves  # the cached list followed

    top = config.create_category(actor=w.dispatcher, code="09", name="教育")
    assert top.level == 1 and top.parent is None


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"code": "01", "name": "重复编码"}, "code", "已被其他分类使用"),
        ({"code": "01 02", "name": "空格"}, "code", "只能包含字母、数字"),
        ({"code": "0199", "name": ""}, "name", "请填写分类名称"),
        ({"code": "0199", "name": "x" * 51}, "name", "最多允许50个"),
        ({"code": "0199", "name": "噪声扰民", "parent": "env"}, "name", "已有名为"),
        ({"code": "01010101", "name": "太深", "parent": "stall"}, "parent", "最多3级"),
        ({"code": "0199", "name": "层级", "parent": "env", "level": 3}, "level", "应为2"),
        ({"code": "0199", "name": "排序", "parent": "env", "sort": -1}, "sort", "0或更大"),
    ],
)
def test_create_category_bad_input(w, kwargs, field, text):
    if "parent" in kwargs:
        kwargs["parent"] = getattr(w, kwargs["parent"])
    count = Category.objects.count()
    with pytest.raises(ValidationError) as exc:
        config.create_category(actor=w.authority, **kwargs)
    assert text in " ".join(messages_of(exc)[field])
    assert Category.objects.count() == count and not audits("hotline.category_created")


def test_create_active_child_under_inactive_parent_refused(w):
    config.update_category(actor=w.authority, category=w.illegal, active=False)
    with pytest.raises(ValidationError) as exc:
        config.create_category(actor=w.authority, code="030101", name="加建", parent=w.illegal)
    assert "已停用" in messages_of(exc)["active"][0]
    # Adding it as not in use is fine.
    child = config.create_category(
        actor=w.authority, code="030101", name="加建", parent=w.illegal, active=False
    )
    assert not child.active


@pytest.mark.parametrize("who", range(4))
def test_category_actions_denied(w, who):
    user = deniers(w)[who]
    with pytest.raises(PermissionDenied):
        config.create_category(actor=user, code="09", name="教育")
    with pytest.raises(PermissionDenied):
        config.update_category(actor=user, category=w.stall, name="改名")
    with pytest.raises(PermissionDenied):
        config.delete_category(actor=user, category=w.price)
    w.stall.refresh_from_db()
    assert w.stall.name == "流动摊贩" and not Category.objects.filter(code="09").exists()
    assert Category.objects.filter(pk=w.price.pk).exists()
    assert not AuditEntry.objects.filter(action__startswith="hotline.category").exists()


def test_update_category_audits_changed_fields_only(w):
    config.update_category(
        actor=w.dispatcher, category=w.stall, name="流动摊点", keywords="摆摊 小贩", sort=7
    )
    w.stall.refresh_from_db()
    assert (w.stall.name, w.stall.keywords, w.stall.sort) == ("流动摊点", "摆摊 小贩", 7)
    (entry,) = audits("hotline.category_updated")
    assert entry.summary["before"] == {"name": "流动摊贩", "keywords": "", "sort": 0}
    assert entry.summary["after"] == {"name": "流动摊点", "keywords": "摆摊 小贩", "sort": 7}
    assert any(name.endswith("流动摊点") for _pk, name, _w in queries.leaf_categories())
    # Saving the same values again writes nothing.
    config.update_category(actor=w.dispatcher, category=w.stall, name="流动摊点")
    assert len(audits("hotline.category_updated")) == 1


def test_deactivate_with_active_children_refused(w):
    with pytest.raises(ValidationError) as exc:
        config.update_category(actor=w.authority, category=w.env, active=False, name="市容")
    text = messages_of(exc)["active"][0]
    assert "还有启用中的下级分类" in text and "占道经营" in text and "噪声扰民" in text
    w.env.refresh_from_db()
    assert w.env.active and w.env.name == "市容环境"  # nothing half-written
    assert not audits("hotline.category_updated")
    # Bottom-up works: leaves first, then their parents.
    config.update_category(actor=w.authority, category=w.stall, active=False)
    config.update_category(actor=w.authority, category=w.noise, active=False)
    street_leaves = {pk for pk, _n, _w in queries.leaf_categories()}
    assert w.street.pk not in street_leaves and w.noise.pk not in street_leaves
    config.update_category(actor=w.authority, category=w.street, active=False)
    config.update_category(actor=w.authority, category=w.env, active=False)
    assert not Category.objects.filter(code__startswith="01", active=True).exists()
    assert w.stall.pk not in {pk for pk, _n, _w in queries.leaf_categories()}
    # A group whose children are all off is still a group: never offered as a ticket's category.
    assert w.street.pk not in {pk for pk, _n, _w in queries.leaf_categories()}
    # …and a child cannot come back while its parent is off.
    with pytest.raises(ValidationError) as exc:
        config.update_category(actor=w.authority, category=w.noise, active=True)
    assert "请先启用它" in messages_of(exc)["active"][0]


def test_delete_category(w):
    register(w, category=w.stall)
    with pytest.raises(ValidationError) as exc:
        config.delete_category(actor=w.authority, category=w.stall)
    assert "改为停用" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        config.delete_category(actor=w.authority, category=w.street)
    assert "下级分类" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        config.delete_category(actor=w.authority, category=w.illegal)  # has a dispatch rule
    assert "1条派单规则" in exc.value.messages[0]
    assert Category.objects.filter(pk__in=[w.stall.pk, w.street.pk, w.illegal.pk]).count() == 3

    config.delete_category(actor=w.authority, category=w.price)
    assert not Category.objects.filter(code="0202").exists()
    (entry,) = audits("hotline.category_deleted")
    assert entry.summary["before"]["code"] == "0202"


# --- dispatch catalogue ------------------------------------------------------------------


def test_save_dispatch_rule_create_update_and_suggest(w):
    rule = config.save_dispatch_rule(
        actor=w.authority,
        category=w.stall,
        region=w.huliao,
        lead_department=w.scj,
        co_departments=[w.huliao_gov, w.huliao_gov],
        priority=5,
        note="湖寮镇流动摊贩由市场监管主办",
    )
    assert list(rule.co_departments.all()) == [w.huliao_gov]
    (entry,) = audits("hotline.dispatch_rule_saved")
    assert "before" not in entry.summary and entry.summary["created"] is True
    assert entry.summary["after"]["region"] == "441422100"
    assert entry.summary["after"]["co_departments"] == [w.huliao_gov.pk]
    # The new rule is the most specific for a stall ticket in 城东社区 (湖寮镇).
    ticket = register(w, category=w.stall).ticket
    assert actions.suggest_dispatch(ticket) == (w.scj, [w.huliao_gov])

    config.save_dispatch_rule(
        actor=w.dispatcher,
        rule=rule,
        category=w.stall,
        region=w.huliao,
        lead_department=w.huliao_gov,
        co_departments=[w.scj],
        priority=5,
        active=False,
    )
    rule.refresh_from_db()
    assert rule.lead_department == w.huliao_gov and not rule.active
    entry = audits("hotline.dispatch_rule_saved")[-1]
    assert entry.summary["before"]["lead_department"] == w.scj.pk
    assert entry.summary["after"]["lead_department"] == w.huliao_gov.pk
    assert entry.summary["after"]["active"] is False
    # Inactive: the county-wide rule for 市容环境 at 湖寮镇 applies again.
    assert actions.suggest_dispatch(ticket) == (w.huliao_gov, [])


def test_save_dispatch_rule_bad_input_leaves_nothing(w):
    city = Region.objects.get(code="441400")
    rules_before = DispatchRule.objects.count()
    with pytest.raises(ValidationError) as exc:
        config.save_dispatch_rule(
            actor=w.authority,
            category=None,
            region=city,
            lead_department=w.scj,
            co_departments=[w.zjj, w.scj],
            priority="high",
            note="x" * 201,
        )
    errors = messages_of(exc)
    assert "请选择规则适用的分类" in errors["category"][0]
    assert "不在大埔县境内" in errors["region"][0]
    assert "不能同时作为协办单位" in errors["co_departments"][0]
    assert "-999" in errors["priority"][0] and "note" in errors
    with pytest.raises(ValidationError) as exc:
        config.save_dispatch_rule(
            actor=w.authority, category=w.env, region=w.dabu, lead_department=w.scj
        )
    assert "请修改那条规则" in messages_of(exc)["region"][0]
    # Changing another rule onto the same category × region is refused too, unchanged.
    other = DispatchRule.objects.get(category=w.env, region=w.huliao)
    with pytest.raises(ValidationError):
        config.save_dispatch_rule(
            actor=w.authority,
            rule=other,
            category=w.env,
            region=w.dabu,
            lead_department=w.scj,
            co_departments=[w.zjj],
        )
    other.refresh_from_db()
    assert other.region == w.huliao and not other.co_departments.exists()
    assert DispatchRule.objects.count() == rules_before
    assert not audits("hotline.dispatch_rule_saved")


@pytest.mark.parametrize("who", range(4))
def test_dispatch_rule_actions_denied(w, who):
    user = deniers(w)[who]
    with pytest.raises(PermissionDenied):
        config.save_dispatch_rule(
            actor=user, category=w.stall, region=w.gaobei, lead_department=w.scj
        )
    with pytest.raises(PermissionDenied):
        config.delete_dispatch_rule(actor=user, rule=w.rule)
    assert DispatchRule.objects.filter(pk=w.rule.pk).exists()
    assert not DispatchRule.objects.filter(category=w.stall).exists()
    assert not AuditEntry.objects.filter(action__startswith="hotline.dispatch_rule").exists()


def test_delete_dispatch_rule(w):
    pk = w.rule.pk
    config.delete_dispatch_rule(actor=w.authority, rule=w.rule)
    assert not DispatchRule.objects.filter(pk=pk).exists()
    (entry,) = audits("hotline.dispatch_rule_deleted")
    assert entry.object_id == str(pk)
    assert entry.summary["before"] == {
        "category": "01",
        "region": "441422",
        "lead_department": w.zjj.pk,
        "co_departments": [],
        "priority": 0,
        "active": True,
        "note": "",
    }


# --- time limits ------------------------------------------------------------------------


def test_set_time_limit_audits(w):
    row = config.set_time_limit(actor=w.authority, type="help", urgent=False, days=5, sign_days=2)
    assert (row.days, row.sign_days) == (5, 2)
    (entry,) = audits("hotline.time_limit_set")
    assert entry.summary["before"] == {"days": 3, "sign_days": 1}
    assert entry.summary["after"] == {"days": 5, "sign_days": 2}
    assert entry.summary["type"] == "help" and entry.summary["urgent"] is False
    assert actions.time_limit("help", False) == (5, 2)
    # A missing row falls back to the defaults and is created on the first change.
    TimeLimit.objects.filter(type="report", urgent=True).delete()
    config.set_time_limit(actor=w.dispatcher, type="report", urgent=True, days=1, sign_days=0)
    entry = audits("hotline.time_limit_set")[-1]
    assert entry.summary["before"] == {"days": 0, "sign_days": 0}
    assert actions.time_limit("report", True) == (1, 0)


@pytest.mark.parametrize(
    ("days", "sign_days", "field", "text"),
    [
        (61, 1, "days", "0到60"),
        (-1, 0, "days", "0表示当天"),
        ("三", 1, "days", "整数"),
        (5, 61, "sign_days", "0到60"),
        (2, 3, "sign_days", "不能长于办理时限"),
        (0, 1, "sign_days", "当天办结的工单也必须当天签收"),
    ],
)
def test_set_time_limit_bad_input(w, days, sign_days, field, text):
    with pytest.raises(ValidationError) as exc:
        config.set_time_limit(
            actor=w.authority, type="complaint", urgent=False, days=days, sign_days=sign_days
        )
    assert text in messages_of(exc)[field][0]
    assert actions.time_limit("complaint", False) == (13, 1)
    assert not audits("hotline.time_limit_set")


def test_set_time_limit_unknown_type_and_denied(w):
    with pytest.raises(ValidationError) as exc:
        config.set_time_limit(actor=w.authority, type="praise", urgent=False, days=1, sign_days=1)
    assert "未知的工单类型" in messages_of(exc)["type"][0]
    for user in deniers(w):
        with pytest.raises(PermissionDenied):
            config.set_time_limit(actor=user, type="help", urgent=False, days=5, sign_days=1)
    assert actions.time_limit("help", False) == (3, 1) and not audits("hotline.time_limit_set")


def test_set_time_limits_all_or_nothing(w):
    limits = config.effective_time_limits()
    limits[("help", False)] = (5, 1)
    limits[("complaint", True)] = (0, 2)
    with pytest.raises(ValidationError) as exc:
        config.set_time_limits(actor=w.authority, limits=limits)
    assert list(messages_of(exc)) == ["complaint-urgent-sign_days"]
    assert actions.time_limit("help", False) == (3, 1)
    limits[("complaint", True)] = (1, 1)
    written = config.set_time_limits(actor=w.authority, limits=limits)
    assert {(r.type, r.urgent) for r in written} == {("help", False), ("complaint", True)}
    assert len(audits("hotline.time_limit_set")) == 2


# --- pages ------------------------------------------------------------------------------


def test_index_renders_for_authority(w, client):
    client.force_login(w.authority)
    resp = client.get(reverse("hotline:config"))
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "流动摊贩" in html and f'href="/hotline/config/categories/{w.stall.pk}/"' in html
    assert "大埔县住房和城乡建设局" in html and "市场监管 / 价格投诉" not in html
    assert 'name="complaint-normal-days" value="13"' in html
    # Filters: a category subtree and a region subtree.
    html = client.get(reverse("hotline:config"), {"category": w.market.pk}).content.decode()
    assert f'id="rule-{w.rule.pk}"' not in html and "大埔县市场监督管理局" in html
    html = client.get(reverse("hotline:config"), {"region": w.huliao.pk}).content.decode()
    assert f'id="rule-{w.rule.pk}"' not in html and "大埔县湖寮镇人民政府" in html


def test_index_query_count_independent_of_rules(w, client):
    client.force_login(w.dispatcher)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("hotline:config")).status_code == 200
    for i, cat in enumerate([w.stall, w.noise, w.food, w.price]):
        config.save_dispatch_rule(
            actor=w.admin,
            category=cat,
            region=w.gaobei,
            lead_department=w.scj,
            co_departments=[w.zjj, w.sjj],
            priority=i,
        )
    with CaptureQueriesContext(connection) as more:
        assert client.get(reverse("hotline:config")).status_code == 200
    assert len(more) == len(few)


def test_pages_denied_to_handler_town_dispatcher_and_citizen(w, client):
    urls = [
        ("get", reverse("hotline:config")),
        ("get", reverse("hotline:config_category_new")),
        ("get", reverse("hotline:config_category", args=[w.stall.pk])),
        ("get", reverse("hotline:config_rule", args=[w.rule.pk])),
        ("post", reverse("hotline:config_rule_delete", args=[w.rule.pk])),
        ("post", reverse("hotline:config_time_limits")),
    ]
    for user in (w.handler_scj, w.dispatcher_gaobei, w.citizen):
        client.force_login(user)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 403, (user, url)
    assert DispatchRule.objects.filter(pk=w.rule.pk).exists()
    client.logout()
    assert client.get(reverse("hotline:config")).status_code == 302  # to the login page


def test_dispatch_page_links_to_config_for_county_staff_only(w, client):
    link = reverse("hotline:config")
    client.force_login(w.dispatcher)
    assert link in client.get(reverse("hotline:dispatch")).content.decode()
    client.force_login(w.dispatcher_gaobei)
    assert link not in client.get(reverse("hotline:dispatch")).content.decode()


def category_post(**kw):
    data = {"code": "0103", "name": "油烟污染", "keywords": "", "description": "", "sort": 0}
    data.update({"active": "on"}, **kw)
    return data


def test_category_pages(w, client):
    client.force_login(w.authority)
    page = client.get(reverse("hotline:config_category_new"), {"parent": w.env.pk})
    assert page.status_code == 200 and f'<option value="{w.env.pk}" selected>' in (
        page.content.decode()
    )
    resp = client.post(reverse("hotline:config_category_new"), category_post(parent=w.env.pk))
    cat = Category.objects.get(code="0103")
    assert resp.status_code == 302 and resp.url.endswith(f"#category-{cat.pk}")
    assert cat.level == 2 and cat.parent == w.env
    assert "已添加" in client.get(resp.url).content.decode()  # the flash message

    resp = client.post(
        reverse("hotline:config_category", args=[cat.pk]),
        {"name": "餐饮油烟", "keywords": "油烟", "description": "", "sort": 3},
    )
    cat.refresh_from_db()
    assert resp.status_code == 302 and cat.name == "餐饮油烟" and not cat.active
    resp = client.post(reverse("hotline:config_category_delete", args=[cat.pk]))
    assert resp.status_code == 302 and not Category.objects.filter(pk=cat.pk).exists()
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="hotline.cat")] == [
        "hotline.category_created",
        "hotline.category_updated",
        "hotline.category_deleted",
    ]


def test_category_form_bad_input_rerenders_with_errors(w, client):
    client.force_login(w.authority)
    resp = client.post(
        reverse("hotline:config_category_new"), category_post(code="01", parent=w.stall.pk)
    )
    html = resp.content.decode()
    assert resp.status_code == 200 and 'id="id_parent_error"' in html
    assert "有效的选项" in html  # a 小类 is not offered as a parent
    resp = client.post(reverse("hotline:config_category_new"), category_post(code="01"))
    assert "已被其他分类使用" in resp.content.decode()
    resp = client.post(
        reverse("hotline:config_category", args=[w.env.pk]),
        {"name": "市容环境", "sort": 0},  # "active" unticked
    )
    assert resp.status_code == 200 and "还有启用中的下级分类" in resp.content.decode()
    assert Category.objects.get(pk=w.env.pk).active
    assert not Category.objects.filter(code="0103").exists()
    # A category used by tickets offers no delete button, only the reason.
    register(w, category=w.stall)
    html = client.get(reverse("hotline:config_category", args=[w.stall.pk])).content.decode()
    assert "改为停用" in html and "/delete/" not in html


def test_rule_pages(w, client):
    client.force_login(w.dispatcher)
    data = {
        "category": w.noise.pk,
        "region": w.gaobei.pk,
        "lead_department": w.zjj.pk,
        "co_departments": [w.scj.pk],
        "priority": 0,
        "active": "on",
        "note": "",
    }
    resp = client.post(reverse("hotline:config_rule_new"), data)
    rule = DispatchRule.objects.get(category=w.noise, region=w.gaobei)
    assert resp.status_code == 302 and list(rule.co_departments.all()) == [w.scj]
    # The same pair again: the form comes back with the error next to the region.
    resp = client.post(reverse("hotline:config_rule_new"), data)
    html = resp.content.decode()
    assert resp.status_code == 200 and "请修改那条规则" in html
    assert 'id="id_region_error"' in html
    # Lead among co-handlers.
    resp = client.post(
        reverse("hotline:config_rule", args=[rule.pk]), {**data, "co_departments": [w.zjj.pk]}
    )
    assert "不能同时作为协办单位" in resp.content.decode()
    rule.refresh_from_db()
    assert list(rule.co_departments.all()) == [w.scj]
    page = client.get(reverse("hotline:config_rule", args=[rule.pk]))
    assert page.status_code == 200
    assert client.get(reverse("hotline:config_rule_delete", args=[rule.pk])).status_code == 405
    resp = client.post(reverse("hotline:config_rule_delete", args=[rule.pk]))
    assert resp.status_code == 302 and not DispatchRule.objects.filter(pk=rule.pk).exists()
    assert len(audits("hotline.dispatch_rule_saved")) == 1
    assert len(audits("hotline.dispatch_rule_deleted")) == 1


def limits_post(**changes):
    data = {}
    for (type_, urgent), (days, sign) in config.effective_time_limits().items():
        data[config.limit_field(type_, urgent, "days")] = days
        data[config.limit_field(type_, urgent, "sign_days")] = sign
    data.update(changes)
    return data


def test_time_limit_form_bad_input_rerenders(w, client):
    client.force_login(w.authority)
    resp = client.post(
        reverse("hotline:config_time_limits"),
        limits_post(**{"help-normal-days": "5", "complaint-normal-sign_days": "20"}),
    )
    html = resp.content.decode()
    assert resp.status_code == 200 and "不能长于办理时限" in html
    assert 'id="id_complaint-normal-sign_days_error"' in html
    assert 'name="help-normal-days" value="5"' in html  # the input is kept
    assert actions.time_limit("help", False) == (3, 1)  # nothing written
    assert client.get(reverse("hotline:config_time_limits")).status_code == 405


def test_time_limit_change_applies_to_tickets_dispatched_afterwards(w, client):
    now = at(date(2025, 9, 30))
    with mock.patch("django.utils.timezone.now", return_value=now):
        before = actions.dispatch(
            actor=w.dispatcher, ticket=register(w).ticket, lead_department=w.scj
        )
    assert before.due_at == workdays.due_date(now, 13).date  # complaint: 13 working days
    client.force_login(w.dispatcher)
    resp = client.post(
        reverse("hotline:config_time_limits"), limits_post(**{"complaint-normal-days": "5"})
    )
    assert resp.status_code == 302 and resp.url.endswith("#time-limits")
    assert len(audits("hotline.time_limit_set")) == 1
    with mock.patch("django.utils.timezone.now", return_value=now):
        ticket = register(w, content="城南市场熟食档卤肉有异味").ticket
        ticket = actions.dispatch(actor=w.dispatcher, ticket=ticket, lead_department=w.scj)
    # Tue 30 Sept + 5 working days: 9 (Thu), 10, 11 (Sat, 调休), 13, 14 October.
    assert ticket.due_at == date(2025, 10, 14)
    before.refresh_from_db()
    assert before.due_at == workdays.due_date(now, 13).date  # running deadlines stay


def test_admin_is_read_only_and_points_to_config(w, client):
    force_login_with_second_factor(client, w.admin)
    for model in ("category", "dispatchrule", "timelimit"):
        resp = client.get(reverse(f"admin:hotline_{model}_changelist"))
        assert resp.status_code == 200 and reverse("hotline:config") in resp.content.decode()
        assert client.get(reverse(f"admin:hotline_{model}_add")).status_code == 403
    resp = client.post(
        reverse("admin:hotline_category_change", args=[w.stall.pk]),
        {"name": "改名", "code": "010101", "level": 3, "sort": 0},
    )
    assert resp.status_code == 403
    w.stall.refresh_from_db()
    assert w.stall.name == "流动摊贩"
