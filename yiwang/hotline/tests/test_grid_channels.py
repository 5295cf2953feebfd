"""Grid workers and sensors as 12345 channels: residents' requests met on patrol and the
sensor types routed to tickets become hotline tickets, not city cases.

The grid app does not import the hotline: the request pages are hotline views mounted under
/grid/m/, and sensor alerts reach the hotline through the router it registers with the grid."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from yiwang.audit.models import AuditEntry
from yiwang.grid import actions as grid_actions
from yiwang.grid.models import CityEvent, SensorAlert

# The grid's county (grids, grid workers, handlers) replaces the hotline's for this module;
# ``english``: the assertions below read the English messages.
from yiwang.grid.tests.conftest import PASSWORD, pdf_file, png_file
from yiwang.grid.tests.conftest import english as english
from yiwang.grid.tests.conftest import world as world
from yiwang.hotline import actions as hotline
from yiwang.hotline.models import Category, Ticket

TOKEN = "s3cret-sensor-token"


@pytest.fixture
def categories(world):
    major = Category.objects.create(code="01", name="市容环境", level=1)
    middle = Category.objects.create(code="0101", name="街面秩序", level=2, parent=major)
    noise = Category.objects.create(code="010103", name="噪声扰民", level=3, parent=middle)
    stall = Category.objects.create(code="010101", name="占道经营", level=3, parent=middle)
    return {"noise": noise, "stall": stall, "middle": middle}


def _request(world, categories, **kw):
    params = {
        "actor": world.worker,
        "grid": world.grid_a,
        "type": "help",
        "category": categories["stall"].pk,
        "content": "城东路口的阿婆说门口常有摊贩占道，轮椅出不了门，请帮忙协调。",
        "lat": 24.352,
        "lng": 116.712,
        "address": "城东路口",
        "resident_name": "李阿婆",
        "resident_phone": "13902530088",
        "photos": [png_file()],
        **kw,
    }
    return hotline.report_grid_request(**params)


def test_resident_request_becomes_a_grid_channel_ticket(world, categories):
    registered = _request(world, categories)
    ticket = registered.ticket
    assert ticket.channel == "grid" and ticket.status == "new"
    assert ticket.region == world.chengdong and ticket.town == world.huliao
    assert ticket.registered_by == world.worker and ticket.source_ref == "grid:HL-01"
    assert ticket.caller_name == "李阿婆" and ticket.caller_phone == "13902530088"
    assert ticket.photos.count() == 1
    assert ticket.number.startswith("12345-")
    entry = AuditEntry.objects.get(action="hotline.register", object_id=str(ticket.pk))
    assert entry.actor == world.worker
    # it is a ticket like any other: the hotline dispatches it
    assert ticket in hotline.visible_tickets(world.dispatcher)
    assert not CityEvent.objects.exists()


def test_assignment_covers_a_grid_beyond_the_post(world, categories):
    """A worker posted in 城东社区 but also assigned to 城西's grid passes requests on from it."""
    grid_actions.assign_worker(actor=world.admin, grid=world.grid_b, user=world.worker)
    ticket = _request(world, categories, grid=world.grid_b, lat=24.352, lng=116.688).ticket
    assert ticket.region == world.grid_b.village and ticket.source_ref == "grid:HL-02"


def test_request_from_another_workers_grid_is_refused(world, categories):
    with pytest.raises(PermissionDenied, match="only from your own grids"):
        _request(world, categories, actor=world.worker_b)
    with pytest.raises(PermissionDenied):
        _request(world, categories, actor=world.handler_zjj)
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"category": 999999}, "category", ""),
        ({"category": "0101"}, "category", "is a group"),
        ({"content": "  "}, "content", ""),
        ({"content": "长" * 2001}, "content", "2000"),
        ({"lat": 23.1, "lng": 113.3}, "lat", "outside Dabu County"),
        ({"photos": [pdf_file()]}, "photos", ""),
        ({"type": "gossip"}, "type", "Unknown ticket type"),
        ({"grid": None}, "grid", "Choose the grid"),
    ],
)
def test_bad_requests_are_refused_with_the_field(world, categories, change, field, message):
    with pytest.raises(ValidationError) as exc:
        _request(world, categories, **change)
    assert field in exc.value.message_dict
    assert message in " ".join(exc.value.message_dict[field])
    assert not Ticket.objects.exists()


# --- the phone pages --------------------------------------------------------------------------


def test_the_pages_keep_their_grid_addresses():
    assert reverse("hotline_grid:request") == "/grid/m/request/"
    assert reverse("hotline_grid:passed_on") == "/grid/m/passed-on/"


def test_phone_pages_pass_on_a_request_and_show_how_it_went(world, categories, client):
    client.login(username="grid_huliao", password=PASSWORD)
    page = client.get("/grid/m/request/")
    assert page.status_code == 200 and "噪声扰民" in page.content.decode()
    answer = client.post(
        reverse("hotline_grid:request"),
        {
            "type": "complaint",
            "category": categories["noise"].pk,
            "content": "居民反映文化广场晚上十点后音响太吵。",
            "grid": world.grid_a.pk,
            "lat": "24.352",
            "lng": "116.712",
        },
    )
    assert answer.status_code == 302 and answer.url == reverse("grid:m_home")
    ticket = Ticket.objects.get()
    assert ticket.channel == "grid" and ticket.type == "complaint"
    # the grid's home page loads the list from the hotline (htmx), with a plain link besides
    home = client.get(reverse("grid:m_home")).content.decode()
    section = home.split('id="h-passed"')[1]
    assert f'hx-get="{reverse("hotline_grid:passed_on")}"' in section
    assert f'href="{reverse("hotline_grid:passed_on")}"' in section
    fragment = client.get(reverse("hotline_grid:passed_on"), headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert fragment.status_code == 200 and 'data-testid="passed-on"' in body
    assert ticket.number in body and "<html" not in body
    full = client.get(reverse("hotline_grid:passed_on")).content.decode()
    assert "<html" in full and ticket.number in full.split('data-testid="passed-on"')[1]
    # bad input keeps what was typed and names the problem
    bad = client.post(
        reverse("hotline_grid:request"),
        {"type": "complaint", "category": "", "content": "还是很吵", "grid": world.grid_a.pk},
    )
    assert bad.status_code == 422 and "还是很吵" in bad.content.decode()
    assert Ticket.objects.count() == 1


def test_passed_on_lists_only_the_workers_own_requests(world, categories, client):
    mine = _request(world, categories).ticket
    theirs = _request(world, categories, actor=world.worker_b, grid=world.grid_b).ticket
    client.login(username="grid_huliao", password=PASSWORD)
    body = client.get(reverse("hotline_grid:passed_on"), headers={"HX-Request": "true"})
    assert mine.number in body.content.decode()
    assert theirs.number not in body.content.decode()
    client.login(username="grid_gaobei", password=PASSWORD)
    empty = client.get(reverse("hotline_grid:passed_on"), headers={"HX-Request": "true"})
    assert 'data-testid="passed-on-empty"' in empty.content.decode()


@pytest.mark.parametrize("name", ["hotline_grid:request", "hotline_grid:passed_on"])
def test_request_pages_are_for_grid_workers(world, client, name):
    assert client.get(reverse(name)).status_code == 302  # to the login page
    client.login(username="handler_zjj", password=PASSWORD)
    assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("hotline_grid:request"), {}).status_code == 403
    assert not Ticket.objects.exists()


# --- sensors ----------------------------------------------------------------------------------


@pytest.fixture
def noise_device(world):
    return grid_actions.register_device(
        actor=world.admin, device_id="NOISE-HL-01", sensor_type="noise", lat=24.352, lng=116.712
    )


def test_the_hotline_registers_its_router_with_the_grid():
    assert hotline.route_sensor_alert in grid_actions.ALERT_ROUTERS


def test_noise_alert_becomes_a_ticket_and_repeats_join_it(world, categories, noise_device):
    payload = {"device_id": "NOISE-HL-01", "type": "noise", "value": 78, "threshold": 65}
    first = grid_actions.ingest_sensor_alert(payload)
    ticket = first.ticket
    assert first.accepted and not first.duplicate and first.event is None
    assert ticket.channel == "sensor" and ticket.type == "report"
    assert ticket.category == categories["noise"] and ticket.region == world.chengdong
    assert "NOISE-HL-01" in ticket.content and ticket.anonymous
    second = grid_actions.ingest_sensor_alert({**payload, "value": 82})
    assert second.duplicate and second.ticket == ticket
    assert Ticket.objects.count() == 1 and not CityEvent.objects.exists()
    assert AuditEntry.objects.filter(action="grid.sensor_alert").count() == 2
    # once the ticket is closed, the next alert opens a new one
    Ticket.objects.filter(pk=ticket.pk).update(status="closed")
    third = grid_actions.ingest_sensor_alert(payload)
    assert third.ticket != ticket and not third.duplicate


def test_types_not_routed_stay_city_cases(world, categories):
    grid_actions.register_device(
        actor=world.admin, device_id="WL-HL-01", sensor_type="waterlogging", lat=24.352, lng=116.712
    )
    alert = grid_actions.ingest_sensor_alert(
        {"device_id": "WL-HL-01", "type": "waterlogging", "value": 30, "threshold": 20}
    )
    assert alert.event is not None and alert.ticket is None
    assert not Ticket.objects.exists()


def test_routing_follows_the_setting(world, categories, noise_device, settings):
    settings.YIWANG_SENSOR_TICKETS = {}
    alert = grid_actions.ingest_sensor_alert(
        {"device_id": "NOISE-HL-01", "type": "noise", "value": 78, "threshold": 65}
    )
    assert alert.event is not None and alert.ticket is None
    assert not Ticket.objects.exists()


def test_webhook_answers_with_the_ticket(world, categories, noise_device, client, settings):
    settings.YIWANG_SENSOR_TOKEN = TOKEN
    answer = client.post(
        reverse("grid:sensor_webhook"),
        json.dumps({"device_id": "NOISE-HL-01", "type": "noise", "value": 90, "threshold": 65}),
        content_type="application/json",
        headers={"X-Yiwang-Token": TOKEN},
    )
    assert answer.status_code == 201
    body = answer.json()
    ticket = Ticket.objects.get()
    assert body["ticket_number"] == ticket.number and body["event_number"] is None
    assert SensorAlert.objects.get().ticket == ticket


def test_a_broken_route_still_handles_the_alert(world, noise_device, caplog):
    """Without the routed category the alert becomes a city case and the log says why."""
    alert = grid_actions.ingest_sensor_alert(
        {"device_id": "NOISE-HL-01", "type": "noise", "value": 78, "threshold": 65}
    )
    assert alert.accepted and alert.event is not None and alert.ticket is None
    assert not alert.duplicate and not Ticket.objects.exists()
    assert "route_sensor_alert" in caplog.text and "becomes a city case" in caplog.text
