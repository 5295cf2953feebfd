"""Open311 GeoReport v2 conformance: every endpoint in JSON and XML, filters, errors, api_key."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from yiwang.audit.actors import SystemActor
from yiwang.hotline import actions as hotline
from yiwang.hotline import queries
from yiwang.hotline.models import Channel, Status, Ticket
from yiwang.hotline.open311 import actions
from yiwang.hotline.open311.models import Open311Client, Open311Request

from .conftest import HULIAO_POINT

SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def url(name, fmt="json", *args):
    return reverse(f"open311:{name}", args=[*args, fmt])


def xml(response):
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own response


@pytest.fixture
def api_key(world):
    _client, key = actions.create_client(actor=SystemActor("test"), name="随手拍")
    return key


def post(client, key, fmt="json", **fields):
    data = {
        "api_key": key,
        "service_code": "010101",
        "lat": HULIAO_POINT[0],
        "long": HULIAO_POINT[1],
        "address_string": "湖寮镇城东社区新城路18号",
        "description": "新城路18号门口有流动摊贩占道经营，影响通行。",
        "first_name": "梅",
        "last_name": "李",
        "phone": "13900001111",
        "email": "li@example.com",
        "device_id": "dev-1",
    }
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(url("requests", fmt), data)


def submit(key, **fields):
    """Submit through the action (as a client would through POST)."""
    client = actions.authenticate(key)
    data = actions.Submission(
        service_code=fields.pop("service_code", "010101"),
        lat=HULIAO_POINT[0],
        long=HULIAO_POINT[1],
        address_string="湖寮镇新城路",
        description=fields.pop("description", "路边有流动摊贩占道经营"),
        phone="13900001111",
        first_name="梅",
        last_name="李",
        **fields,
    )
    return actions.submit_request(actor=client, data=data)


# --- discovery and services ----------------------------------------------------


@pytest.mark.django_db
def test_discovery_json_and_xml(client, world):
    data = client.get(url("discovery")).json()
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert "application/json" in endpoint["formats"]
    root = xml(client.get(url("discovery", "xml")))
    assert root.tag == "discovery"
    assert root.find("endpoints/endpoint/specification").text == endpoint["specification"]
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == endpoint[
        "formats"
    ]


@pytest.mark.django_db
def test_services_json_lists_leaf_categories_with_spec_fields(client, world):
    response = client.get(url("services"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    rows = response.json()
    by_code = {r["service_code"]: r for r in rows}
    # Leaves only: 大类 and 中类 with children are groups, not services.
    assert set(by_code) == {"010101", "0102", "0201", "0202", "0301"}
    stall = by_code["010101"]
    assert list(stall) == SERVICE_FIELDS
    assert stall["service_name"] == "流动摊贩"
    assert stall["group"] == "市容环境"
    assert stall["type"] == "realtime"
    assert stall["metadata"] is True


@pytest.mark.django_db
def test_services_xml(client, world):
    root = xml(client.get(url("services", "xml")))
    assert root.tag == "services"
    services = root.findall("service")
    assert len(services) == 5
    first = services[0]
    assert [child.tag for child in first] == SERVICE_FIELDS
    assert first.find("metadata").text == "true"
    assert {s.find("group").text for s in services} == {"市容环境", "市场监管", "城乡建设"}


@pytest.mark.django_db
def test_service_definition_json_and_xml(client, world):
    data = client.get(url("service", "json", "010101")).json()
    assert data["service_code"] == "010101"
    attribute = data["attributes"][0]
    assert set(attribute) == {
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    }
    assert attribute["code"] == "type"
    assert attribute["datatype"] == "singlevaluelist"
    assert [v["key"] for v in attribute["values"]] == [
        "consult",
        "help",
        "complaint",
        "report",
        "suggestion",
    ]
    root = xml(client.get(url("service", "xml", "010101")))
    assert root.tag == "service_definition"
    assert root.find("service_code").text == "010101"
    values = root.findall("attributes/attribute/values/value")
    assert [v.find("key").text for v in values][:2] == ["consult", "help"]
    assert root.find("attributes/attribute/variable").text == "true"


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["9999", "01"])  # unknown, and a group (not a service)
def test_service_definition_unknown_is_404_in_spec_format(client, world, code):
    response = client.get(url("service", "json", code))
    assert response.status_code == 404
    [error] = response.json()
    assert error["code"] == 404
    assert code in error["description"]
    root = xml(client.get(url("service", "xml", code)))
    assert root.tag == "errors"
    assert root.find("error/code").text == "404"


@pytest.mark.django_db
def test_wrong_method_is_405(client, world):
    response = client.post(url("services"))
    assert response.status_code == 405
    assert response.json()[0]["code"] == 405


# --- POST requests -------------------------------------------------------------


@pytest.mark.django_db
def test_post_request_creates_ticket_in_dispatch_queue(client, world, api_key):
    response = post(client, api_key)
    assert response.status_code == 200, response.content
    [row] = response.json()
    assert list(row) == ["service_request_id", "service_notice", "account_id"]
    assert row["account_id"] is None
    ticket = Ticket.objects.get(number=row["service_request_id"])
    assert ticket.channel == Channel.OPEN311
    assert ticket.status == Status.NEW
    assert ticket.type == "help"
    assert ticket.category == world.stall
    assert ticket.town == world.huliao
    assert ticket.caller_phone == "13900001111"
    assert ticket.caller_name == "李梅"
    extra = Open311Request.objects.get(ticket=ticket)
    assert extra.device_id == "dev-1"
    assert extra.client.name == "随手拍"
    # The dispatcher sees it in the queue.
    queue = queries.list_base(world.dispatcher).filter(status__in=queries.DISPATCH_STATUSES)
    assert ticket in queue
    client.force_login(world.dispatcher)
    page = client.get(reverse("hotline:dispatch"))
    assert page.status_code == 200
    assert ticket.number in page.content.decode()


@pytest.mark.django_db
def test_post_request_xml_and_attribute_type(client, world, api_key):
    response = post(client, api_key, "xml", **{"attribute[type]": "complaint"})
    assert response.status_code == 200
    root = xml(response)
    assert root.tag == "service_requests"
    number = root.find("request/service_request_id").text
    assert root.find("request/account_id").text is None
    assert Ticket.objects.get(number=number).type == "complaint"


@pytest.mark.django_db
def test_post_with_address_string_only(client, world, api_key):
    response = post(client, api_key, lat=None, long=None, address_string="高陂镇圩镇路口")
    assert response.status_code == 200, response.content
    ticket = Ticket.objects.get(number=response.json()[0]["service_request_id"])
    assert ticket.lat is None
    assert ticket.town == world.gaobei


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({"service_code": ""}, "service_code"),
        ({"service_code": "9999"}, "9999"),
        ({"service_code": "01"}, "service_code"),  # a group, not a leaf
        ({"lat": "23.1291", "long": "113.2644"}, "lat"),  # Guangzhou: outside the county
        ({"lat": "abc"}, "lat"),
        ({"long": None}, "lat"),
        ({"lat": None, "long": None, "address_string": None}, "lat"),
        ({"description": ""}, "description"),
        ({"description": "长" * 2001}, "description"),
        ({"attribute[type]": "praise"}, "attribute"),
        ({"attribute[colour]": "red"}, "attribute"),
        ({"media_url": "ftp://x/y.jpg"}, "media_url"),
    ],
)
def test_post_bad_input_is_400_and_writes_nothing(client, world, api_key, fields, needle):
    response = post(client, api_key, **fields)
    assert response.status_code == 400, response.content
    errors = response.json()
    assert all(e["code"] == 400 for e in errors)
    assert any(needle in e["description"] for e in errors), errors
    assert not Ticket.objects.exists()
    assert not Open311Request.objects.exists()


@pytest.mark.django_db
def test_post_bad_input_xml_errors(client, world, api_key):
    root = xml(post(client, api_key, "xml", service_code=""))
    assert root.tag == "errors"
    assert root.find("error/code").text == "400"
    assert "service_code" in root.find("error/description").text


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "not-a-key"])
def test_post_with_invalid_api_key_is_403(client, world, api_key, key):
    response = post(client, key)
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403
    assert "api_key" in response.json()[0]["description"]
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_deactivated_client_is_refused(client, world, api_key):
    actions.deactivate_client(actor=SystemActor("test"), client=Open311Client.objects.get())
    assert post(client, api_key).status_code == 403


@pytest.mark.django_db
def test_key_is_stored_hashed(world, api_key):
    stored = Open311Client.objects.get()
    assert stored.key_hash != api_key
    assert api_key not in (stored.key_hash, stored.key_prefix)
    assert api_key.startswith(stored.key_prefix)


@pytest.mark.django_db
def test_only_administrators_manage_clients(world):
    from django.core.exceptions import PermissionDenied

    for nobody in (world.dispatcher, None, "cli"):  # None used to count as the command line
        with pytest.raises(PermissionDenied):
            actions.create_client(actor=nobody, name="x")
    client, key = actions.create_client(actor=world.admin, name="x")
    assert actions.authenticate(key) == client


@pytest.mark.django_db
def test_management_command_prints_key_once(world):
    out = StringIO()
    call_command("open311_client", "城管通", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert actions.authenticate(key).name == "城管通"
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("open311_client", "城管通", stdout=StringIO())
    call_command("open311_client", "城管通", "--deactivate", stdout=StringIO())
    assert actions.authenticate(key) is None


# --- GET requests --------------------------------------------------------------


@pytest.mark.django_db
def test_get_requests_json_fields_and_no_personal_data(client, world, api_key):
    ticket = submit(api_key, media_url="https://example.com/a.jpg")
    response = client.get(url("requests"))
    assert response.status_code == 200
    [row] = response.json()
    assert list(row) == REQUEST_FIELDS
    assert row["service_request_id"] == ticket.number
    assert row["status"] == "open"
    assert row["service_code"] == "010101"
    assert row["service_name"] == "流动摊贩"
    assert row["lat"] == pytest.approx(float(HULIAO_POINT[0]))
    assert row["long"] == pytest.approx(float(HULIAO_POINT[1]))
    assert row["media_url"] == "https://example.com/a.jpg"
    assert row["requested_datetime"].endswith("+08:00")
    body = response.content.decode()
    for secret in ("13900001111", "李梅", "梅", "li@example.com"):
        assert secret not in body


@pytest.mark.django_db
def test_get_requests_xml(client, world, api_key):
    ticket = submit(api_key)
    root = xml(client.get(url("requests", "xml")))
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert [child.tag for child in request] == REQUEST_FIELDS
    assert request.find("service_request_id").text == ticket.number
    assert request.find("status").text == "open"
    assert "13900001111" not in ET.tostring(root, encoding="unicode")


@pytest.mark.django_db
def test_get_request_detail_after_dispatch_and_close(client, world, api_key):
    ticket = submit(api_key, service_code="0201", description="餐馆后厨卫生很差，发现老鼠")
    hotline.dispatch(actor=world.dispatcher, ticket=ticket, lead_department=world.scj)
    [row] = client.get(url("request", "json", ticket.number)).json()
    assert row["agency_responsible"] == "大埔县市场监督管理局"
    assert row["expected_datetime"] is not None
    assert row["status"] == "open"
    ticket.refresh_from_db()
    hotline.sign_for(actor=world.handler_scj, ticket=ticket)
    hotline.reply(actor=world.handler_scj, ticket=ticket, text="已现场检查并责令整改。")
    hotline.close(actor=world.dispatcher, ticket=ticket)
    root = xml(client.get(url("request", "xml", ticket.number)))
    assert root.find("request/status").text == "closed"
    assert root.find("request/status_notes").text == "已现场检查并责令整改。"
    assert root.find("request/agency_responsible").text == "大埔县市场监督管理局"


@pytest.mark.django_db
def test_get_request_unknown_is_404(client, world):
    response = client.get(url("request", "json", "12345-20990101-000001"))
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404
    root = xml(client.get(url("request", "xml", "nope")))
    assert root.find("error/code").text == "404"


@pytest.mark.django_db
def test_phone_tickets_and_reports_are_not_public(client, world, api_key):
    phone = hotline.register_ticket(
        actor=world.agent,
        channel=Channel.PHONE,
        type="complaint",
        category=world.stall,
        content="电话投诉流动摊贩",
        caller_phone="13800000000",
    ).ticket
    report = submit(api_key, **{"attributes": {"type": "report"}})
    assert client.get(url("requests")).json() == []
    for number in (phone.number, report.number):
        assert client.get(url("request", "json", number)).status_code == 404


@pytest.mark.django_db
def test_get_requests_filters(client, world, api_key):
    now = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now - timedelta(days=120)):
        old = submit(api_key, description="很久以前的流动摊贩问题")
    with mock.patch("django.utils.timezone.now", return_value=now - timedelta(days=10)):
        food = submit(api_key, service_code="0201", description="饭店食品过期")
    stall = submit(api_key, description="新城路口流动摊贩又来了")
    hotline.dispatch(actor=world.dispatcher, ticket=food, lead_department=world.scj)
    food.refresh_from_db()
    hotline.sign_for(actor=world.handler_scj, ticket=food)
    hotline.reply(actor=world.handler_scj, ticket=food, text="已处理")
    hotline.close(actor=world.dispatcher, ticket=food)

    def ids(**params):
        response = client.get(url("requests"), params)
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    # Default: the last 90 days.
    assert ids() == {food.number, stall.number}
    assert ids(service_code="0201") == {food.number}
    assert ids(service_code="0201,010101") == {food.number, stall.number}
    assert ids(status="closed") == {food.number}
    assert ids(status="open") == {stall.number}
    assert ids(status="open,closed") == {food.number, stall.number}
    start = (now - timedelta(days=200)).date().isoformat()
    assert ids(start_date=start) == {old.number, food.number, stall.number}
    assert ids(
        start_date=(now - timedelta(days=200)).isoformat(),
        end_date=(now - timedelta(days=5)).isoformat(),
    ) == {old.number, food.number}
    # service_request_id: a comma list; other parameters are ignored.
    assert ids(service_request_id=f"{old.number},{stall.number}", status="closed") == {
        old.number,
        stall.number,
    }
    assert ids(page_size="1") == {stall.number}
    assert ids(page_size="1", page="2") == {food.number}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"end_date": "2026-13-45"},
        {"status": "pending"},
        {"start_date": "2026-05-02", "end_date": "2026-05-01"},
    ],
)
def test_get_requests_bad_filters_are_400(client, world, params):
    response = client.get(url("requests"), params)
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400
    root = xml(client.get(url("requests", "xml"), params))
    assert root.find("error/code").text == "400"


@pytest.mark.django_db
def test_get_requests_query_count_is_constant(client, world, api_key):
    for i in range(2):
        submit(api_key, description=f"第{i}个流动摊贩问题在新城路")
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url("requests")).json()) == 2
    for i in range(6):
        submit(api_key, service_code="0201", description=f"第{i}家饭店食品问题")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url("requests", "xml")).content) > 0
        assert len(client.get(url("requests")).json()) == 8
    assert len(many.captured_queries) == 2 * len(few.captured_queries)
