"""The GB/T 30428.2 code lists: the shipped data, the one check every form and action uses,
the migration of free-text subclasses, and their back office."""

import importlib
from datetime import date

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.audit.models import AuditEntry
from yiwang.grid import actions, classification, rules
from yiwang.grid.models import CaseClass, CaseSubclass, CityEvent, Component

from .conftest import PASSWORD, png_file


def sub(kind, code) -> CaseSubclass:
    return CaseSubclass.objects.get(case_class__kind=kind, code=code)


# --- the data ---------------------------------------------------------------------------------


def test_data_file_is_the_standards_classes_with_well_formed_codes():
    data = classification.read_data()
    assert "GB/T 30428.2" in data["source"]
    majors = {(c["kind"], c["code"]): c["name"] for c in data["classes"]}
    assert [majors[("component", f"0{i}")] for i in range(1, 7)] == [
        "公用设施",
        "道路交通",
        "市容环境",
        "园林绿化",
        "房屋土地",
        "其他设施",
    ]
    assert [majors[("event", f"0{i}")] for i in range(1, 7)] == [
        "市容环境",
        "宣传广告",
        "施工管理",
        "突发事件",
        "街面秩序",
        "扩展事件",
    ]
    for spec in data["classes"]:
        codes = [s["code"] for s in spec["subclasses"]]
        assert len(set(codes)) == len(codes), spec["key"]
        names = [s["name"] for s in spec["subclasses"]]
        assert len(set(names)) == len(names), spec["key"]
        for code in codes:
            assert len(code) == 4 and code.isdigit() and code.startswith(spec["code"]), code
    keys = {(c["kind"], c["key"]) for c in data["classes"]}
    from yiwang.grid.models import ComponentClass, EventClass

    assert keys == {("component", k) for k in ComponentClass.values} | {
        ("event", k) for k in EventClass.values
    }


def test_migrations_loaded_the_lists(world):
    assert sub("component", "0101").name == "上水井盖"
    assert sub("component", "0101").case_class.key == "public_facility"
    assert sub("event", "0101").name == "私搭乱建"
    fumes = sub("event", "0116")  # 餐饮油烟
    assert fumes.name == "油烟污染" and "餐饮油烟" in fumes.description
    assert fumes.case_class.key == "city_appearance" and fumes.standard
    assert CaseSubclass.objects.count() == sum(
        len(c["subclasses"]) for c in classification.read_data()["classes"]
    )
    assert classification.load(CaseClass, CaseSubclass) == (0, 0)  # idempotent


def test_ensure_code_lists_restores_missing_entries_and_keeps_edits(world):
    from yiwang.grid.models import code_list

    total = CaseSubclass.objects.count()
    sub("event", "0116").delete()  # a database emptied since the migration, in part
    renamed = sub("event", "0101")
    renamed.name = "违法建设"
    renamed.save()
    code_list.get()  # memoised without 0116
    assert actions.ensure_code_lists() == (0, 1)
    assert CaseSubclass.objects.count() == total
    assert sub("event", "0101").name == "违法建设"  # edits in the back office are kept
    assert "event:0116" in code_list.get().by_key  # the memo was refreshed
    assert actions.ensure_code_lists() == (0, 0)


# --- one rule for every form and action -------------------------------------------------------------


def test_report_takes_a_subclass_of_the_chosen_class(world, report):
    event = report(kind="event", category="city_appearance", subclass="event:0116")
    assert event.subclass == sub("event", "0116") and event.subclass_label == "油烟污染"
    assert AuditEntry.objects.filter(action="grid.event_reported").last().summary["after"][
        "subclass"
    ] == (event.subclass_id)


def test_report_with_only_a_subclass_takes_its_class(world, report):
    event = report(kind="", category="", subclass="component:0118")
    assert (event.kind, event.category, event.subclass.name) == (
        "component",
        "public_facility",
        "路灯",
    )


@pytest.mark.parametrize(
    "subclass, message",
    [
        ("event:9999", "not in the GB/T 30428 code lists"),
        ("占道经营", "not in the GB/T 30428 code lists"),  # free text is refused
        ("event:0116", "belongs to the class"),  # 市容环境, not 街面秩序
        ("component:0501", "belongs to the class"),  # a component subclass on an event
    ],
)
def test_report_refuses_a_subclass_outside_the_lists_or_the_class(world, report, subclass, message):
    with pytest.raises(ValidationError) as exc:
        report(subclass=subclass)  # the fixture's class: event / street_order
    assert message in exc.value.message_dict["subclass"][0]
    assert not CityEvent.objects.exists()


def test_subclass_out_of_use_is_refused_for_new_cases_but_kept_on_old_ones(world, report):
    old = report(subclass="event:0501")
    actions.update_subclass(
        actor=world.admin, subclass=old.subclass, name="无照经营游商", description="", active=False
    )
    with pytest.raises(ValidationError) as exc:
        report(subclass="event:0501")
    assert "no longer in use" in exc.value.message_dict["subclass"][0]
    filed = actions.file_event(actor=world.dispatcher, event=old)  # unchanged: still allowed
    assert filed.subclass_id == old.subclass_id


def test_filing_reclassifies_and_keeps_only_a_fitting_subclass(world, report):
    event = report(subclass="event:0501")
    with pytest.raises(ValidationError):
        actions.file_event(
            actor=world.dispatcher,
            event=event,
            kind="event",
            category="street_order",
            subclass="event:0116",
        )
    event.refresh_from_db()
    assert event.status == "collected" and event.subclass.code == "0501"
    # Another class without a subclass: the old one no longer fits and goes.
    event = actions.file_event(
        actor=world.dispatcher, event=event, kind="event", category="city_appearance"
    )
    assert event.subclass is None and event.category == "city_appearance"


def test_filing_with_a_subclass_only_takes_its_class(world, report):
    event = report()
    event = actions.file_event(actor=world.dispatcher, event=event, subclass="event:0116")
    assert (event.category, event.subclass.code) == ("city_appearance", "0116")


def test_components_take_a_component_subclass(world):
    params = {
        "actor": world.admin,
        "code": "441422100-0102-000001",
        "name": "城东路1号井盖",
        "component_class": "public_facility",
        "grid": world.grid_a,
        "competent_department": world.zjj,
        "lat": 24.353,
        "lng": 116.713,
        "initial_date": date(2024, 3, 1),
    }
    with pytest.raises(ValidationError) as exc:
        actions.create_component(**params, subclass="0402")  # 行道树 is 园林绿化
    assert "belongs to the class" in exc.value.message_dict["subclass"][0]
    component = actions.create_component(**params, subclass="0102")
    assert component.subclass.name == "污水井盖" and component.subclass_label == "污水井盖"
    component = actions.update_component(
        actor=world.admin, component=component, subclass="component:0103"
    )
    entry = AuditEntry.objects.filter(action="grid.component_updated").last()
    assert entry.summary["before"] == {"subclass": sub("component", "0102").pk}
    assert entry.summary["after"] == {"subclass": sub("component", "0103").pk}


def test_sensor_cases_get_the_subclass_or_a_note(world):
    actions.register_device(
        actor=world.admin, device_id="WL-1", sensor_type="waterlogging", lat=24.353, lng=116.713
    )
    actions.register_device(
        actor=world.admin, device_id="MH-1", sensor_type="manhole", lat=24.353, lng=116.714
    )
    water = actions.ingest_sensor_alert(
        {"device_id": "WL-1", "type": "waterlogging", "value": 30, "threshold": 20}
    ).event
    manhole = actions.ingest_sensor_alert(
        {"device_id": "MH-1", "type": "manhole", "value": 5, "threshold": 1}
    ).event
    assert water.subclass == sub("event", "0406")  # 道路积水
    assert manhole.subclass is None and manhole.subclass_label == "井盖位移"


# --- the pages ----------------------------------------------------------------------------------


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_report_page_offers_the_lists_grouped_by_class(world, client):
    login(client, world.worker)
    html = client.get("/grid/m/report/").content.decode()
    assert 'data-testid="subclass-select"' in html and "<optgroup" in html
    assert 'value="event:0116"' in html and 'value="component:0101"' in html
    response = client.post(
        "/grid/m/report/",
        {
            "classification": "",
            "subclass": "event:0116",
            "description": "饭店油烟直排",
            "lat": "24.352",
            "lng": "116.712",
            "grid": str(world.grid_a.pk),
            "photos": [png_file()],
        },
    )
    assert response.status_code == 302
    assert CityEvent.objects.get().subclass.code == "0116"
    bad = client.post(
        "/grid/m/report/",
        {
            "classification": "event:street_order",
            "subclass": "event:0116",
            "description": "饭店油烟直排",
            "lat": "24.352",
            "lng": "116.712",
        },
    )
    assert bad.status_code == 422 and "belongs to the class" in bad.content.decode()


def test_case_page_files_with_a_subclass(world, client, report):
    event = report()
    login(client, world.dispatcher)
    html = client.get(f"/grid/events/{event.pk}/").content.decode()
    assert 'value="event:0501" selected' in html
    client.post(
        f"/grid/events/{event.pk}/file/",
        {"classification": "event:street_order", "subclass": "event:0505"},
    )
    event.refresh_from_db()
    assert (event.status, event.subclass.name) == ("filed", "机动车乱停放")


def test_back_office_lists_adds_and_edits_subclasses(world, client):
    login(client, world.worker)
    assert client.get("/grid/manage/classes/").status_code == 403
    assert client.post("/grid/manage/classes/new/", {}).status_code == 403
    login(client, world.dispatcher)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/grid/manage/classes/")
    assert page.status_code == 200
    assert len(queries.captured_queries) <= 12  # session, user, posts, classes, subclasses
    html = page.content.decode()
    assert html.count('data-testid="case-class"') == CaseClass.objects.count()
    assert 'data-code="0116"' in html
    assert (
        client.get("/grid/manage/classes/?kind=event")
        .content.decode()
        .count('data-testid="case-class"')
        == CaseClass.objects.filter(kind="event").count()
    )

    extended = CaseClass.objects.get(kind="event", key="extended")
    bad = client.post(
        "/grid/manage/classes/new/",
        {"case_class": extended.pk, "code": "0101", "name": ""},
    )
    assert bad.status_code == 422
    body = bad.content.decode()
    assert "starting with the class code 06" in body and "1 to 50 characters" in body
    response = client.post(
        "/grid/manage/classes/new/",
        {"case_class": extended.pk, "code": "0601", "name": "违规晾晒", "description": "沿河晾晒"},
    )
    assert response.status_code == 302
    local = sub("event", "0601")
    assert not local.standard and local.case_class == extended
    entry = AuditEntry.objects.filter(action="grid.subclass_created").last()
    assert entry.actor_id == world.dispatcher.pk and entry.summary["after"]["code"] == "0601"
    duplicate = client.post(
        "/grid/manage/classes/new/", {"case_class": extended.pk, "code": "0601", "name": "别的"}
    )
    assert duplicate.status_code == 422 and "already has a subclass 0601" in (
        duplicate.content.decode()
    )

    # The standard's names stay; descriptions and use are the county's.
    fumes = sub("event", "0116")
    response = client.post(
        f"/grid/manage/classes/{fumes.pk}/",
        {"name": "餐饮油烟", "description": "饭店油烟", "active": "on"},
    )
    assert response.status_code == 302  # the disabled name field keeps the standard's name
    fumes.refresh_from_db()
    assert (fumes.name, fumes.description) == ("油烟污染", "饭店油烟")
    with pytest.raises(ValidationError) as exc:
        actions.update_subclass(
            actor=world.dispatcher, subclass=fumes, name="餐饮油烟", description="", active=True
        )
    assert "keeps its name" in exc.value.message_dict["name"][0]
    client.post(f"/grid/manage/classes/{local.pk}/", {"name": "违规晾晒", "description": ""})
    local.refresh_from_db()
    assert not local.active
    entry = AuditEntry.objects.filter(action="grid.subclass_updated", object_id=str(local.pk))
    assert entry.last().summary["after"] == {"description": "", "active": False}
    login(client, world.worker)
    assert 'value="event:0601"' not in client.get("/grid/m/report/").content.decode()


def test_subclass_actions_are_for_registry_managers(world):
    extended = CaseClass.objects.get(kind="event", key="extended")
    with pytest.raises(PermissionDenied):
        actions.create_subclass(actor=world.worker, case_class=extended, code="0601", name="x")
    with pytest.raises(PermissionDenied):
        actions.update_subclass(
            actor=world.handler_zjj,
            subclass=sub("event", "0116"),
            name="油烟污染",
            description="x",
            active=True,
        )
    assert not CaseSubclass.objects.filter(case_class=extended).exists()
    assert sub("event", "0116").description != "x"


def test_groups_offer_active_subclasses_and_the_chosen_one(world):
    fumes = sub("event", "0116")
    actions.update_subclass(
        actor=world.admin, subclass=fumes, name=fumes.name, description="", active=False
    )

    def values(groups):
        return {o["value"] for g in groups for o in g["options"]}

    assert "event:0116" not in values(rules.subclass_groups("event"))
    assert "event:0116" in values(rules.subclass_groups("event", selected=fumes.pk))
    assert {g["kind"] for g in rules.subclass_groups("component")} == {"component"}
    assert not any(g["key"] == "extended" for g in rules.subclass_groups())  # none yet


# --- the migration of the free text ---------------------------------------------------------


def test_free_text_subclasses_move_to_codes_where_the_name_matches(world, report):
    tidy = importlib.import_module("yiwang.grid.migrations.0006_subclasses_from_code_lists")
    matched = report(kind="event", category="city_appearance", subclass=None)
    other_class = report(kind="event", category="street_order", subclass=None)
    unknown = report(kind="event", category="street_order", subclass=None)
    component = actions.create_component(
        actor=world.admin,
        code="441422100-0404-000012",
        name="同仁广场花坛",
        component_class="public_facility",
        grid=world.grid_a,
        competent_department=world.zjj,
        lat=24.353,
        lng=116.713,
        initial_date=date(2024, 3, 1),
    )
    CityEvent.objects.filter(pk=matched.pk).update(subclass_note="暴露垃圾")
    CityEvent.objects.filter(pk=other_class.pk).update(subclass_note="暴露垃圾")  # not 街面秩序's
    CityEvent.objects.filter(pk=unknown.pk).update(subclass_note="占道经营")
    Component.objects.filter(pk=component.pk).update(subclass_note="变压器(箱)")  # half-width

    tidy.match(global_apps, None)
    rows = dict(CityEvent.objects.values_list("pk", "subclass__name"))
    notes = dict(CityEvent.objects.values_list("pk", "subclass_note"))
    assert (rows[matched.pk], notes[matched.pk]) == ("暴露垃圾", "")
    assert (rows[other_class.pk], notes[other_class.pk]) == (None, "暴露垃圾")
    assert (rows[unknown.pk], notes[unknown.pk]) == (None, "占道经营")
    component.refresh_from_db()
    assert component.subclass.name == "变压器（箱）" and component.subclass_note == ""

    tidy.unmatch(global_apps, None)
    assert not CityEvent.objects.filter(subclass__isnull=False).exists()
    notes = dict(CityEvent.objects.values_list("pk", "subclass_note"))
    assert notes[matched.pk] == "暴露垃圾" and notes[unknown.pk] == "占道经营"
    component.refresh_from_db()
    assert component.subclass is None and component.subclass_note == "变压器（箱）"


def test_rules_find_subclasses_by_key_code_or_id(world):
    fumes = sub("event", "0116")
    assert rules.find_subclass("event:0116") == fumes
    assert rules.find_subclass("0116", "event") == fumes
    assert rules.find_subclass(fumes.pk) == fumes
    assert rules.find_subclass("0116") is None  # the codes repeat: the kind is needed
    assert rules.find_subclass("") is None and rules.find_subclass(True) is None
