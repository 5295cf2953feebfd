"""Pages: map data scope and query count, list, detail actions, phone pages."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from yiwang.grid import actions, geo
from yiwang.grid.models import CityEvent

from .conftest import PASSWORD, png_file


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_map_page_for_dispatchers_only(world, client):
    login(client, world.dispatcher)
    response = client.get("/grid/map/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="grid-map-config"' in html and "leaflet.js" in html and "<script>" not in html
    client.logout()
    login(client, world.worker)
    assert client.get("/grid/map/").status_code == 403
    assert client.get("/grid/map/data.geojson").status_code == 403


def test_map_data_scoped_filtered_and_constant_queries(world, report, client):
    report()
    report(actor=world.worker_g, lat=24.16, lng=116.73)
    login(client, world.dispatcher_gaobei)
    data = client.get("/grid/map/data.geojson").json()
    grids = [f for f in data["features"] if f["properties"]["layer"] == "grid"]
    events = [f for f in data["features"] if f["properties"]["layer"] == "event"]
    assert [g["properties"]["code"] for g in grids] == ["GB-01"]
    assert len(events) == 1 and events[0]["geometry"]["coordinates"] == [116.73, 24.16]
    client.logout()
    login(client, world.dispatcher)
    data = client.get("/grid/map/data.geojson?status=collected&kind=event").json()
    assert sum(f["properties"]["layer"] == "event" for f in data["features"]) == 2
    data = client.get("/grid/map/data.geojson?status=closed").json()
    assert sum(f["properties"]["layer"] == "event" for f in data["features"]) == 0
    client.get("/grid/map/data.geojson")  # warm (session, posts)
    with CaptureQueriesContext(connection) as small:
        client.get("/grid/map/data.geojson")
    for _ in range(8):
        report()
    with CaptureQueriesContext(connection) as large:
        response = client.get("/grid/map/data.geojson")
    assert len(large) == len(small)
    assert sum(f["properties"]["layer"] == "event" for f in response.json()["features"]) == 10


def test_events_list_scoped(world, report, client):
    a = report()
    b = report(actor=world.worker_g, lat=24.16, lng=116.73)
    login(client, world.dispatcher_gaobei)
    html = client.get("/grid/events/").content.decode()
    assert b.number in html and a.number not in html
    assert client.get(f"/grid/events/{a.pk}/").status_code == 404
    client.logout()
    login(client, world.handler_zjj)
    assert a.number not in client.get("/grid/events/").content.decode()  # not dispatched to zjj


def test_detail_actions_through_the_page(world, report, client):
    event = report()
    login(client, world.dispatcher)
    html = client.get(f"/grid/events/{event.pk}/").content.decode()
    assert "/file/" in html and "/cancel/" in html and "/handle/" not in html
    client.post(f"/grid/events/{event.pk}/file/", {"classification": "event:street_order"})
    response = client.post(
        f"/grid/events/{event.pk}/dispatch/",
        {"department": world.zjj.pk, "limit_days": "2"},
        follow=True,
    )
    event.refresh_from_db()
    assert event.status == "dispatched" and event.limit_days == 2
    client.logout()
    login(client, world.handler_zjj)
    response = client.post(f"/grid/events/{event.pk}/handle/", {"reply": "已清理"}, follow=True)
    assert "at least one photo" in response.content.decode()
    client.post(f"/grid/events/{event.pk}/handle/", {"reply": "已清理", "photos": [png_file()]})
    event.refresh_from_db()
    assert event.status == "handled"
    photo = event.photos.filter(phase="after").get()
    assert client.get(f"/grid/photos/{photo.pk}/").status_code == 200
    client.logout()
    login(client, world.worker_g)
    assert client.get(f"/grid/photos/{photo.pk}/").status_code == 404


def test_phone_report_and_verify(world, client):
    login(client, world.worker)
    page = client.get("/grid/m/report/").content.decode()
    assert 'capture="environment"' in page and "locate.js" in page and "城东第一网格" in page
    bad = client.post(
        "/grid/m/report/",
        {"classification": "event:street_order", "description": "", "lat": "24.352", "lng": "x"},
    )
    assert bad.status_code == 422
    body = bad.content.decode()
    assert "is not a number" in body or "不是数字" in body
    response = client.post(
        "/grid/m/report/",
        {
            "classification": "event:street_order",
            "subclass": "event:0501",
            "description": "城东路摊贩占道",
            "lat": "24.352",
            "lng": "116.712",
            "grid": str(world.grid_a.pk),
            "photos": [png_file()],
        },
    )
    assert response.status_code == 302
    event = CityEvent.objects.get()
    assert event.reporter == world.worker and event.photos.count() == 1
    actions.file_event(actor=world.dispatcher, event=event)
    actions.dispatch_event(actor=world.dispatcher, event=event, department=world.zjj)
    actions.handle_event(
        actor=world.handler_zjj, event=event, reply="已清理", after_photos=[png_file()]
    )
    home = client.get("/grid/m/").content.decode()
    assert f"/grid/m/{event.pk}/verify/" in home
    response = client.post(f"/grid/m/{event.pk}/verify/", {"passed": "yes", "note": "已整改"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == "verified"


def test_phone_pages_refuse_non_workers(world, client):
    login(client, world.dispatcher)
    assert client.get("/grid/m/").status_code == 403
    assert client.get("/grid/m/report/").status_code == 403


def test_pages_render_in_chinese(world, report, client, settings):
    event = report()
    login(client, world.dispatcher)
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        html = client.get(f"/grid/events/{event.pk}/").content.decode()
        assert "立案" in html and "街面秩序" in html and "已采集" in html
        with pytest.raises(ValidationError, match="不在大埔县范围内"):
            geo.clean_point(23.1, 113.3)


def _closed_case_handled_when_due_soon(world, report) -> CityEvent:
    event = report()
    actions.file_event(actor=world.dispatcher, event=event, kind="event", category="street_order")
    actions.dispatch_event(actor=world.dispatcher, event=event, department=world.zjj)
    CityEvent.objects.filter(pk=event.pk).update(due_at=timezone.now())  # due today: 预警
    event.refresh_from_db()
    actions.handle_event(
        actor=world.handler_zjj, event=event, reply="已清理", after_photos=[png_file()]
    )
    actions.verify_event(actor=world.worker, event=event, passed=True)
    return actions.close_event(actor=world.dispatcher, event=event)


def test_closed_case_handled_in_time_shows_no_due_soon_warning(world, report, client):
    event = _closed_case_handled_when_due_soon(world, report)
    event.refresh_from_db()
    assert event.status == "closed" and event.deadline_status == "normal"
    login(client, world.dispatcher)
    detail = client.get(f"/grid/events/{event.pk}/").content.decode()
    listing = client.get("/grid/events/").content.decode()
    for html in (detail, listing):
        assert 'data-deadline="warning"' not in html and 'data-deadline="normal"' in html


def test_map_refusal_for_a_handler_does_not_deny_the_case_list(world, client):
    login(client, world.handler_zjj)
    response = client.get("/grid/map/")
    assert response.status_code == 403
    assert "case list" not in response.content.decode()
    assert client.get("/grid/events/").status_code == 200


def test_map_status_label_puts_the_count_inside_the_sentence(world, client):
    login(client, world.dispatcher)
    config = client.get("/grid/map/").context["config"]
    assert "%(count)s" in config["labels"]["shown"]
    assert "open" not in config["labels"]


def test_timeline_names_the_sensor_not_its_code(world, client):
    actions.register_device(
        actor=world.admin,
        device_id="WL-HL-0001",
        sensor_type="waterlogging",
        lat=24.353,
        lng=116.713,
    )
    payload = {"device_id": "WL-HL-0001", "type": "waterlogging", "value": 32.5, "threshold": 20}
    event = actions.ingest_sensor_alert(payload).event
    assert event.logs.filter(actor_label="sensor").exists()
    login(client, world.dispatcher)
    response = client.get(f"/grid/events/{event.pk}/")
    titles = [f"{e.actor_label} · {e.action_label}" for e in response.context["logs"]]
    assert titles and all(not t.startswith("sensor ") for t in titles)
    assert any(t.startswith("Sensor · ") for t in titles)


def test_migration_freezes_old_handled_cases_kept_due_soon(world, report):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("yiwang.grid.migrations.0003_handled_cases_not_due_soon")
    closed = _closed_case_handled_when_due_soon(world, report)
    open_case = report()
    actions.file_event(
        actor=world.dispatcher, event=open_case, kind="event", category="street_order"
    )
    actions.dispatch_event(actor=world.dispatcher, event=open_case, department=world.zjj)
    # as stored before the reply froze the outcome
    CityEvent.objects.filter(pk__in=[closed.pk, open_case.pk]).update(deadline_status="warning")
    migration.freeze_handled(apps, None)
    statuses = dict(CityEvent.objects.values_list("pk", "deadline_status"))
    assert statuses[closed.pk] == "normal"
    assert statuses[open_case.pk] == "warning"  # still to do: the warning stays
