"""Grid registry back office: the registry actions and the /grid/manage/ pages."""

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from yiwang.audit.models import AuditEntry
from yiwang.grid import actions
from yiwang.grid.models import (
    Component,
    Grid,
    GridAssignment,
    Place,
    SensorAlert,
    SensorDevice,
)
from yiwang.grid.tests.shapes import square
from yiwang.workdays import calendar as workdays

from .conftest import PASSWORD, staff

TOKEN = "s3cret-sensor-token"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def audited(action, obj) -> AuditEntry:
    """The latest audit entry of ``action`` on ``obj`` (fails when there is none)."""
    entry = AuditEntry.objects.filter(action=action, object_id=str(obj.pk)).last()
    assert entry is not None, f"no {action} entry for {obj}"
    return entry


def new_component(world, **kw):
    params = {
        "code": "441422100-0101-000001",
        "name": "城东路1号井盖",
        "component_class": "public_facility",
        "subclass": "0102",  # 污水井盖
        "grid": world.grid_a,
        "competent_department": world.zjj,
        "lat": 24.353,
        "lng": 116.713,
        "initial_date": date(2024, 3, 1),
        **kw,
    }
    return actions.create_component(actor=world.admin, **params)


@pytest.fixture
def component(world):
    return new_component(world)


@pytest.fixture
def place(world):
    return actions.create_place(
        actor=world.admin, name="城东市场", kind="market", grid=world.grid_a, address="城东路8号"
    )


@pytest.fixture
def device(world):
    return actions.register_device(
        actor=world.admin,
        device_id="WL-HL-0001",
        sensor_type="waterlogging",
        lat=24.353,
        lng=116.713,
    )


# --- actions ---------------------------------------------------------------------------------


def test_update_grid_renames_redraws_and_audits(world):
    polygon = square(24.353, 116.713, 0.004)
    grid = actions.update_grid(
        actor=world.dispatcher, grid=world.grid_a, name="城东一网格", polygon=polygon
    )
    grid.refresh_from_db()
    assert grid.name == "城东一网格" and grid.polygon == polygon and grid.code == "HL-01"
    entry = audited("grid.grid_updated", grid)
    assert entry.actor_id == world.dispatcher.pk
    assert entry.summary["before"]["name"] == "城东第一网格"
    assert entry.summary["after"]["name"] == "城东一网格"
    assert entry.summary["after"]["polygon"]["positions"] == 5
    # nothing changed: nothing to audit
    actions.update_grid(actor=world.dispatcher, grid=grid, name="城东一网格", polygon=polygon)
    assert AuditEntry.objects.filter(action="grid.grid_updated").count() == 1


@pytest.mark.parametrize(
    ("name", "polygon", "field", "message"),
    [
        ("x", {"type": "Point", "coordinates": [116.7, 24.35]}, "polygon", "GeoJSON object"),
        ("x", square(23.1, 113.3), "polygon", "outside Dabu County"),
        ("x", None, "polygon", "GeoJSON object"),
        ("", square(24.35, 116.7), "name", "1 to 100 characters"),
    ],
)
def test_update_grid_bad_input_changes_nothing(world, name, polygon, field, message):
    before = world.grid_a.polygon
    with pytest.raises(ValidationError) as exc:
        actions.update_grid(actor=world.dispatcher, grid=world.grid_a, name=name, polygon=polygon)
    assert message in " ".join(exc.value.message_dict[field])
    world.grid_a.refresh_from_db()
    assert world.grid_a.name == "城东第一网格" and world.grid_a.polygon == before
    assert not AuditEntry.objects.filter(action="grid.grid_updated").exists()


@pytest.mark.parametrize("who", ["worker", "handler_zjj"])
def test_registry_changes_denied_to_workers_and_handlers(world, component, place, device, who):
    actor = getattr(world, who)
    entries = AuditEntry.objects.count()
    attempts = [
        lambda: actions.update_grid(
            actor=actor, grid=world.grid_a, name="改名", polygon=world.grid_a.polygon
        ),
        lambda: actions.assign_worker(actor=actor, grid=world.grid_a, user=world.worker_b),
        lambda: actions.unassign_worker(actor=actor, grid=world.grid_a, user=world.worker),
        lambda: actions.update_component(actor=actor, component=component, status="damaged"),
        lambda: actions.update_place(actor=actor, place=place, name="改名"),
        lambda: actions.update_device(actor=actor, device=device, name="改名"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match="Only dispatchers and the data authority"):
            attempt()
    with pytest.raises(PermissionDenied):
        actions.create_component(
            actor=actor,
            code="X-1",
            name="x",
            component_class="public_facility",
            grid=world.grid_a,
            competent_department=world.zjj,
            lat=24.35,
            lng=116.7,
            initial_date=date(2024, 1, 1),
        )
    assert AuditEntry.objects.count() == entries
    component.refresh_from_db()
    place.refresh_from_db()
    device.refresh_from_db()
    assert component.status == "intact" and place.name == "城东市场" and device.name == ""
    assert GridAssignment.objects.filter(grid=world.grid_a, user=world.worker).exists()
    assert not Component.objects.filter(code="X-1").exists()


def test_worker_candidates_are_of_the_town_or_the_county(world):
    county_worker = staff(world.admin, "grid_county", "grid_worker", None, world.dabu)
    candidates = set(actions.grid_worker_candidates(world.grid_a))
    assert candidates == {world.worker, world.worker_b, county_worker}
    assert set(actions.grid_worker_candidates(world.grid_g)) == {world.worker_g, county_worker}


def test_assign_and_unassign_worker(world):
    assignment = actions.assign_worker(
        actor=world.dispatcher, grid=world.grid_a, user=world.worker_b
    )
    entry = audited("grid.worker_assigned", world.grid_a)
    assert entry.summary["after"] == {"user": world.worker_b.pk, "grid": "HL-01"}
    assert assignment.user == world.worker_b
    actions.unassign_worker(actor=world.dispatcher, grid=world.grid_a, user=world.worker_b)
    assert not GridAssignment.objects.filter(grid=world.grid_a, user=world.worker_b).exists()
    assert AuditEntry.objects.filter(
        action="grid.worker_unassigned", object_id=str(world.grid_a.pk)
    ).exists()
    with pytest.raises(ValidationError, match="is not assigned to grid HL-01"):
        actions.unassign_worker(actor=world.dispatcher, grid=world.grid_a, user=world.worker_b)


def test_assign_worker_of_another_town_or_without_post_refused(world):
    with pytest.raises(ValidationError, match="not a grid worker of 湖寮镇"):
        actions.assign_worker(actor=world.dispatcher, grid=world.grid_a, user=world.worker_g)
    with pytest.raises(ValidationError, match="has no grid worker post"):
        actions.assign_worker(actor=world.dispatcher, grid=world.grid_a, user=world.handler_zjj)
    assert set(world.grid_a.workers.all()) == {world.worker}
    assert not AuditEntry.objects.filter(
        action="grid.worker_assigned", object_id=str(world.grid_a.pk), actor_id=world.dispatcher.pk
    ).exists()


def test_create_component_reports_every_problem_and_writes_nothing(world, component):
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        new_component(
            world,
            code=component.code,
            name="",
            grid=None,
            subclass="x" * 51,  # not a code
            lat=30.0,
            lng=120.0,
            initial_date=workdays.today() + timedelta(days=1),
            owner_department="zjj",
        )
    errors = exc.value.message_dict
    assert "already exists" in errors["code"][0]
    assert "outside Dabu County" in errors["lat"][0]
    assert "Choose the grid" in errors["grid"][0]
    assert "in the future" in errors["initial_date"][0]
    assert "not in the GB/T 30428 code lists" in errors["subclass"][0]
    assert set(errors) >= {"name", "owner_department"}
    assert Component.objects.count() == 1
    assert AuditEntry.objects.count() == entries


def test_update_component_status_sets_change_date_and_audits(world, component):
    assert component.changed_date is None
    actions.update_component(actor=world.dispatcher, component=component, name="城东路1号污水井盖")
    component.refresh_from_db()
    assert component.name == "城东路1号污水井盖" and component.changed_date is None
    actions.update_component(
        actor=world.dispatcher,
        component=component,
        status="damaged",
        maintenance_department=world.town,
    )
    component.refresh_from_db()
    assert component.status == "damaged" and component.changed_date == workdays.today()
    entry = AuditEntry.objects.filter(
        action="grid.component_updated", object_id=str(component.pk)
    ).last()
    assert entry.summary["before"] == {
        "status": "intact",
        "maintenance_department": None,
        "changed_date": None,
    }
    assert entry.summary["after"]["status"] == "damaged"
    assert entry.summary["after"]["maintenance_department"] == world.town.pk
    assert entry.summary["after"]["changed_date"] == workdays.today().isoformat()


def test_update_component_bad_input_leaves_it_unchanged(world, component):
    other = new_component(world, code="441422100-0101-000002", name="城东路3号井盖")
    with pytest.raises(ValidationError) as exc:
        actions.update_component(
            actor=world.dispatcher, component=other, code=component.code, status="broken", lat=""
        )
    assert set(exc.value.message_dict) == {"code", "status", "lat"}
    other.refresh_from_db()
    assert other.code == "441422100-0101-000002" and other.status == "intact"
    assert not AuditEntry.objects.filter(action="grid.component_updated").exists()
    with pytest.raises(TypeError):
        actions.update_component(actor=world.dispatcher, component=other, colour="red")


def test_places_create_update_and_validate(world, place):
    assert audited("grid.place_created", place).summary["after"]["grid"] == "HL-01"
    assert place.lat is None
    actions.update_place(
        actor=world.dispatcher, place=place, lat="24.3531", lng="116.7132", note="早市"
    )
    place.refresh_from_db()
    assert float(place.lat) == 24.3531 and place.note == "早市"
    entry = audited("grid.place_updated", place)
    assert entry.summary["after"] == {"lat": 24.3531, "lng": 116.7132, "note": "早市"}
    with pytest.raises(ValidationError) as exc:
        actions.update_place(actor=world.dispatcher, place=place, lat="24.35", lng="", kind="zoo")
    assert set(exc.value.message_dict) == {"lng", "kind"}
    with pytest.raises(ValidationError, match="outside Dabu County"):
        actions.create_place(
            actor=world.dispatcher,
            name="广州",
            kind="other",
            grid=world.grid_a,
            lat=23.1,
            lng=113.3,
        )
    with pytest.raises(ValidationError, match="Choose the grid the place is in"):
        actions.create_place(actor=world.dispatcher, name="无网格", kind="other", grid=None)
    assert Place.objects.count() == 1


def test_devices_register_with_grid_and_relocate(world):
    device = actions.register_device(
        actor=world.dispatcher,
        device_id="NOISE-1",
        sensor_type="noise",
        lat=24.353,
        lng=116.713,
        grid=world.grid_b,
    )
    assert device.grid == world.grid_b  # chosen, not located
    assert audited("grid.device_registered", device).actor_id == world.dispatcher.pk
    actions.update_device(
        actor=world.dispatcher, device=device, lat=24.16, lng=116.73, grid=None, name="高陂噪声"
    )
    device.refresh_from_db()
    assert device.grid == world.grid_g and device.name == "高陂噪声"  # located again
    entry = audited("grid.device_updated", device)
    assert entry.summary["before"]["grid"] == world.grid_b.pk
    assert entry.summary["after"]["grid"] == world.grid_g.pk
    with pytest.raises(ValidationError) as exc:
        actions.update_device(actor=world.dispatcher, device=device, lat=116.73, lng=24.16)
    assert "outside Dabu County" in exc.value.message_dict["lat"][0]
    with pytest.raises(ValidationError, match="already registered"):
        actions.register_device(
            actor=world.dispatcher, device_id="NOISE-1", sensor_type="noise", lat=24.3, lng=116.7
        )
    device.refresh_from_db()
    assert float(device.lat) == 24.16
    assert SensorDevice.objects.count() == 1


# --- pages: permission ---------------------------------------------------------------------------

PAGES = [
    "/grid/manage/",
    "/grid/manage/grids/new/",
    "/grid/manage/components/",
    "/grid/manage/components/new/",
    "/grid/manage/places/",
    "/grid/manage/places/new/",
    "/grid/manage/devices/",
    "/grid/manage/devices/new/",
    "/grid/manage/alerts/rejected/",
]


@pytest.mark.parametrize("who", ["worker", "handler_zjj"])
def test_pages_refuse_workers_and_handlers(world, component, place, device, client, who):
    login(client, getattr(world, who))
    urls = [
        *PAGES,
        f"/grid/manage/grids/{world.grid_a.pk}/",
        f"/grid/manage/components/{component.pk}/",
        f"/grid/manage/places/{place.pk}/",
        f"/grid/manage/devices/{device.pk}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "for dispatchers and the data authority" in response.content.decode()
    posts = {
        f"/grid/manage/grids/{world.grid_a.pk}/": {"name": "改名", "polygon": "{}"},
        f"/grid/manage/grids/{world.grid_a.pk}/assign/": {"user": world.worker_b.pk},
        f"/grid/manage/grids/{world.grid_a.pk}/unassign/": {"user": world.worker.pk},
        f"/grid/manage/components/{component.pk}/": {"status": "lost"},
        f"/grid/manage/places/{place.pk}/": {"name": "改名"},
        f"/grid/manage/devices/{device.pk}/": {"name": "改名"},
    }
    entries = AuditEntry.objects.count()
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    assert AuditEntry.objects.count() == entries
    assert GridAssignment.objects.filter(grid=world.grid_a).count() == 1


def test_refusal_reason_in_chinese(world, client, settings):
    login(client, world.worker)
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        html = client.get("/grid/manage/").content.decode()
    assert "网格、部件和感知设备管理仅供派单员和数据管理员使用" in html


def test_events_page_links_the_back_office_for_managers_only(world, client):
    login(client, world.dispatcher)
    html = client.get("/grid/events/").content.decode()
    assert 'href="/grid/manage/"' in html and 'href="/grid/manage/alerts/rejected/"' in html
    client.logout()
    login(client, world.handler_zjj)
    assert 'href="/grid/manage/"' not in client.get("/grid/events/").content.decode()


# --- pages: grids ---------------------------------------------------------------------------------


def test_grid_list_shows_town_workers_and_counts(world, component, place, client):
    login(client, world.dispatcher)
    html = client.get("/grid/manage/").content.decode()
    assert "HL-01" in html and "GB-01" in html and "城东社区" in html and "湖寮镇" in html
    assert "grid_huliao" in html and "高陂镇" in html
    assert f'href="/grid/manage/components/?grid={world.grid_a.pk}">1</a>' in html
    assert f'href="/grid/manage/places/?grid={world.grid_a.pk}">1</a>' in html
    html = client.get("/grid/manage/?q=GB").content.decode()
    assert "GB-01" in html and "HL-01" not in html


def test_grid_create_page(world, client):
    login(client, world.dispatcher)
    page = client.get("/grid/manage/grids/new/").content.decode()
    assert '<optgroup label="湖寮镇">' in page and '<optgroup label="高陂镇">' in page
    data = {
        "code": "HL-03",
        "name": "城东第二网格",
        "village": world.chengdong.pk,
        "polygon": json.dumps(square(24.34, 116.72)),
    }
    bad = client.post(
        "/grid/manage/grids/new/",
        {**data, "polygon": '{"type": "Point", "coordinates": [116.7, 24.35]}'},
    )
    assert bad.status_code == 422 and "must be a GeoJSON object" in bad.content.decode()
    bad = client.post("/grid/manage/grids/new/", {**data, "polygon": "{not json"})
    assert bad.status_code == 422 and "not valid JSON" in bad.content.decode()
    bad = client.post("/grid/manage/grids/new/", {**data, "code": "HL-01"})
    assert bad.status_code == 422 and "already exists" in bad.content.decode()
    assert not Grid.objects.filter(code="HL-03").exists()
    response = client.post("/grid/manage/grids/new/", data)
    grid = Grid.objects.get(code="HL-03")
    assert response.status_code == 302 and response["Location"] == f"/grid/manage/grids/{grid.pk}/"
    assert grid.village == world.chengdong
    assert audited("grid.grid_created", grid).actor_id == world.dispatcher.pk
    # a GeoJSON Feature is accepted too (its geometry is kept)
    feature = {"type": "Feature", "properties": {}, "geometry": square(24.32, 116.72)}
    response = client.post(
        "/grid/manage/grids/new/",
        {**data, "code": "HL-04", "polygon": json.dumps(feature)},
    )
    assert response.status_code == 302
    assert Grid.objects.get(code="HL-04").polygon == square(24.32, 116.72)


def test_grid_create_error_shown_in_chinese(world, client, settings):
    login(client, world.dispatcher)
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        response = client.post(
            "/grid/manage/grids/new/",
            {"code": "HL-09", "name": "x", "village": world.chengdong.pk, "polygon": "[1, 2]"},
        )
    assert response.status_code == 422
    assert "网格边界必须是 GeoJSON 对象" in response.content.decode()


def test_grid_edit_and_workers_page(world, client):
    login(client, world.dispatcher)
    url = f"/grid/manage/grids/{world.grid_a.pk}/"
    html = client.get(url).content.decode()
    assert "<svg" in html and '<path d="M' in html
    # candidates: the other 湖寮镇 worker, not the one already assigned nor the 高陂镇 one
    assert f'value="{world.worker_b.pk}"' in html
    assert f'<option value="{world.worker_g.pk}"' not in html
    bad = client.post(url, {"name": "城东", "polygon": json.dumps(square(24.35, 118.0))})
    assert bad.status_code == 422 and "outside Dabu County" in bad.content.decode()
    response = client.post(url, {"name": "城东网格", "polygon": json.dumps(world.grid_a.polygon)})
    assert response.status_code == 302
    world.grid_a.refresh_from_db()
    assert world.grid_a.name == "城东网格"
    assert audited("grid.grid_updated", world.grid_a).summary["after"] == {"name": "城东网格"}

    refused = client.post(f"{url}assign/", {"user": world.worker_g.pk})
    assert (
        refused.status_code == 422
        and "Choose a grid worker from the list" in refused.content.decode()
    )
    response = client.post(f"{url}assign/", {"user": world.worker_b.pk})
    assert response.status_code == 302
    assert set(world.grid_a.workers.all()) == {world.worker, world.worker_b}
    response = client.post(f"{url}unassign/", {"user": world.worker.pk})
    assert response.status_code == 302
    assert set(world.grid_a.workers.all()) == {world.worker_b}
    assert client.post(f"{url}unassign/", {"user": world.worker.pk}).status_code == 404
    assert (
        AuditEntry.objects.filter(
            object_id=str(world.grid_a.pk),
            action__in=["grid.worker_assigned", "grid.worker_unassigned"],
            actor_id=world.dispatcher.pk,
        ).count()
        == 2
    )


# --- pages: components, places, devices --------------------------------------------------------


def component_post(world, **kw):
    return {
        "code": "441422100-0102-000009",
        "name": "城东路路灯9号",
        "component_class": "public_facility",
        "subclass": "component:0118",  # 路灯
        "grid": world.grid_a.pk,
        "status": "intact",
        "competent_department": world.zjj.pk,
        "owner_department": "",
        "maintenance_department": world.town.pk,
        "initial_date": "2024-05-01",
        "data_source": "2024年部件普查",
        "lat": "24.3525",
        "lng": "116.7125",
        **kw,
    }


def test_component_pages(world, component, client):
    login(client, world.dispatcher)
    bad = client.post(
        "/grid/manage/components/new/",
        component_post(world, code=component.code, lat="30.1", lng="120.2"),
    )
    body = bad.content.decode()
    assert bad.status_code == 422
    assert "already exists" in body and "outside Dabu County" in body
    assert Component.objects.count() == 1
    response = client.post("/grid/manage/components/new/", component_post(world))
    assert response.status_code == 302
    lamp = Component.objects.get(code="441422100-0102-000009")
    assert lamp.maintenance_department == world.town and lamp.owner_department is None
    assert audited("grid.component_created", lamp).actor_id == world.dispatcher.pk

    html = client.get(f"/grid/manage/components/?grid={world.grid_a.pk}&status=intact").content
    assert "城东路路灯9号".encode() in html and "城东路1号井盖".encode() in html
    html = client.get("/grid/manage/components/?class=greening").content.decode()
    assert "城东路路灯9号" not in html

    url = f"/grid/manage/components/{lamp.pk}/"
    assert "城东路路灯9号" in client.get(url).content.decode()
    response = client.post(url, component_post(world, status="damaged"))
    assert response.status_code == 302
    lamp.refresh_from_db()
    assert lamp.status == "damaged" and lamp.changed_date == workdays.today()
    assert audited("grid.component_updated", lamp).summary["after"]["status"] == "damaged"
    html = client.get("/grid/manage/components/?status=damaged").content.decode()
    assert "城东路路灯9号" in html and "城东路1号井盖" not in html


def test_place_pages(world, place, client):
    login(client, world.dispatcher)
    data = {"name": "城东小学", "kind": "school", "grid": world.grid_a.pk, "address": "城东路1号"}
    bad = client.post("/grid/manage/places/new/", {**data, "lat": "24.35", "lng": ""})
    assert bad.status_code == 422 and "Give the longitude" in bad.content.decode()
    assert client.post("/grid/manage/places/new/", data).status_code == 302
    school = Place.objects.get(name="城东小学")
    assert audited("grid.place_created", school)
    html = client.get("/grid/manage/places/?kind=school").content.decode()
    assert "城东小学" in html and "城东市场" not in html
    response = client.post(
        f"/grid/manage/places/{place.pk}/",
        {"name": "城东农贸市场", "kind": "market", "grid": world.grid_b.pk, "note": "早市"},
    )
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.name == "城东农贸市场" and place.grid == world.grid_b
    assert audited("grid.place_updated", place).summary["after"]["grid"] == world.grid_b.pk


def test_device_pages(world, device, client, settings):
    settings.YIWANG_SENSOR_TOKEN = TOKEN
    actions.ingest_sensor_alert(
        {"device_id": "WL-HL-0001", "type": "waterlogging", "value": 30, "threshold": 20}
    )
    login(client, world.dispatcher)
    html = client.get("/grid/manage/devices/").content.decode()
    assert "WL-HL-0001" in html and "城东第一网格" in html
    assert '<td class="num">1</td>' in html
    data = {"device_id": "SMOKE-1", "sensor_type": "smoke", "lat": "24.16", "lng": "116.73"}
    bad = client.post("/grid/manage/devices/new/", {**data, "device_id": "WL-HL-0001"})
    assert bad.status_code == 422 and "already registered" in bad.content.decode()
    assert client.post("/grid/manage/devices/new/", data).status_code == 302
    smoke = SensorDevice.objects.get(device_id="SMOKE-1")
    assert smoke.grid == world.grid_g
    response = client.post(
        f"/grid/manage/devices/{device.pk}/",
        {
            "name": "城东路积水监测",
            "address": "城东路口",
            "lat": "24.353",
            "lng": "116.713",
            "grid": world.grid_b.pk,
            "device_id": "HACKED",
            "sensor_type": "smoke",
        },
    )
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.name == "城东路积水监测" and device.grid == world.grid_b
    assert device.device_id == "WL-HL-0001" and device.sensor_type == "waterlogging"
    assert audited("grid.device_updated", device).actor_id == world.dispatcher.pk


@pytest.mark.parametrize(
    "url",
    [
        "/grid/manage/",
        "/grid/manage/components/",
        "/grid/manage/places/",
        "/grid/manage/devices/",
        "/grid/manage/alerts/rejected/",
    ],
)
def test_lists_use_a_fixed_number_of_queries(world, client, url):
    login(client, world.dispatcher)

    def add_rows(n, start):
        for i in range(start, start + n):
            grid = actions.create_grid(
                actor=world.admin,
                code=f"T-{i:02d}",
                name=f"测试网格{i}",
                village=world.chengdong,
                polygon=square(24.30 + i * 0.01, 116.40),
            )
            actions.assign_worker(actor=world.admin, grid=grid, user=world.worker)
            new_component(world, code=f"C-{i}", grid=grid)
            actions.create_place(actor=world.admin, name=f"P{i}", kind="shop", grid=grid)
            dev = actions.register_device(
                actor=world.admin, device_id=f"D-{i}", sensor_type="noise", lat=24.3, lng=116.4
            )
            actions.ingest_sensor_alert(
                {"device_id": dev.device_id, "type": "smoke", "value": 1, "threshold": 1}
            )

    add_rows(1, 0)
    client.get(url)  # warm the session and the posts
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add_rows(6, 1)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


# --- rejected alerts -------------------------------------------------------------------------------


def _webhook(client, body):
    return client.post(
        "/grid/sensors/webhook/",
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        HTTP_X_YIWANG_TOKEN=TOKEN,
    )


def test_rejected_alerts_page_lists_a_malformed_webhook_alert_escaped(
    world, device, client, settings
):
    settings.YIWANG_SENSOR_TOKEN = TOKEN
    evil = {"device_id": "<script>alert(1)</script>", "type": "smoke", "value": 1, "threshold": 1}
    assert _webhook(client, evil).status_code == 422
    good = {"device_id": "WL-HL-0001", "type": "waterlogging", "value": 30, "threshold": 20}
    assert _webhook(client, good).status_code == 201
    actions.ingest_raw(b"{not json", channel="mqtt")
    assert SensorAlert.objects.filter(accepted=False).count() == 2

    login(client, world.dispatcher)
    response = client.get("/grid/manage/alerts/rejected/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "device_id" in html and "is missing or invalid" in html  # the error text
    assert "<details>" in html and "{not json" in html
    assert "HTTP webhook" in html and "MQTT" in html
    assert html.index("{not json") < html.index("&lt;script&gt;")  # newest first
    assert "WL-HL-0001" not in html  # accepted alerts are not listed

    html = client.get("/grid/manage/alerts/rejected/?channel=webhook").content.decode()
    assert "&lt;script&gt;" in html and "{not json" not in html
    today = workdays.today()
    html = client.get(f"/grid/manage/alerts/rejected/?from={today}&to={today}").content.decode()
    assert "&lt;script&gt;" in html
    tomorrow = today + timedelta(days=1)
    html = client.get(f"/grid/manage/alerts/rejected/?from={tomorrow}").content.decode()
    assert "No rejected alerts." in html
