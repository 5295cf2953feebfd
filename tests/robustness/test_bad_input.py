"""Malformed parameters are the client's error: a specific 400/404/422, never a 500, and nothing
half-written. One test per parameter that used to crash, plus the request guards and Open311's
error format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from yiwang.audit.actors import SystemActor
from yiwang.cases.models import Case, Status
from yiwang.hotline.models import ExtensionRequest, Ticket
from yiwang.hotline.open311 import actions as open311
from yiwang.orgs.models import Department

HULIAO = {"lat": "24.350", "long": "116.695"}

# The test database must be set up even when only these tests are selected (-k).
pytestmark = pytest.mark.django_db


def problem_codes(response) -> list:
    return [row["code"] for row in response.json()]


@pytest.fixture
def api_key(county):
    _client, key = open311.create_client(actor=SystemActor("robustness-test"), name="随手拍测试")
    return key


def _open311_post(client: Client, api_key: str, **fields):
    data = {
        "api_key": api_key,
        "service_code": "010101",
        "description": "新城路18号门口有流动摊贩占道经营。",
        **HULIAO,
        **fields,
    }
    return client.post("/open311/v2/requests.json", data)


# --- the seven parameters that gave a server error ---------------------------------------------


def test_open311_lat_nan_is_a_400_in_open311_format(as_role, api_key):
    before = Ticket.objects.count()
    response = _open311_post(as_role(None), api_key, lat="NaN")
    assert response.status_code == 400
    assert problem_codes(response) == [400]
    assert any(row["description"].startswith("lat:") for row in response.json())
    assert Ticket.objects.count() == before


def test_grid_request_form_lat_nan_is_a_field_error(as_role, county):
    from yiwang.grid.models import Grid

    worker = as_role("grid_worker")
    grid = Grid.objects.filter(assignments__user=county.users["grid_worker"]).first() or (
        Grid.objects.first()
    )
    before = Ticket.objects.count()
    response = worker.post(
        "/grid/m/request/",
        {
            "grid": grid.pk,
            "type": "help",
            "category": "010101",
            "content": "路口有流动摊贩占道经营。",
            "lat": "NaN",
            "lng": "116.695",
            "address": "虎山路口",
        },
    )
    assert response.status_code == 422
    assert "lat" in response.context["errors"]
    assert Ticket.objects.count() == before


@pytest.mark.parametrize("view", ["withdraw", "resubmit"])
def test_case_version_not_an_integer_is_a_400(as_role, county, view):
    case = county.cases[0]
    status, version = case.status, case.version
    response = as_role("citizen").post(f"/cases/{case.pk}/{view}/", {"version": "abc"})
    assert response.status_code == 400
    assert response.templates[0].name == "400.html"
    case.refresh_from_db()
    assert (case.status, case.version) == (status, version)


def test_apply_item_version_not_an_integer_is_a_400(as_role, county):
    item = county.cases[0].item
    before = Case.objects.count()
    response = as_role("citizen").post(
        f"/cases/apply/{item.pk}/", {"item_version": "abc", "submission_key": "k-item-version"}
    )
    assert response.status_code == 400
    assert Case.objects.count() == before


def test_intake_item_version_not_an_integer_is_a_400(as_role, county):
    item = county.cases[0].item
    hall = county.users["window"].posts.exclude(hall=None).values_list("hall", flat=True)[0]
    before = Case.objects.count()
    response = as_role("window").post(
        f"/cases/intake/{item.pk}/",
        {"hall": hall, "item_version": "abc", "submission_key": "k-intake"},
    )
    assert response.status_code == 400
    assert Case.objects.count() == before


def _staff_seeing(case: Case, users):
    from yiwang.cases.queries import visible_cases

    for user in users.values():
        if user.kind == "staff" and visible_cases(user).filter(pk=case.pk).exists():
            return user
    raise AssertionError("no demo staff member sees the case")


def test_transfer_department_not_an_integer_is_a_400(county):
    case = next(c for c in county.cases if c.status != Status.DRAFT)
    department, version = case.department_id, case.version
    client = Client()
    client.force_login(_staff_seeing(case, county.users))
    response = client.post(
        f"/cases/{case.pk}/act/",
        {"action": "transfer", "department": "abc", "version": version, "reason": "转办"},
    )
    assert response.status_code == 400
    assert "department" in response.content.decode()
    case.refresh_from_db()
    assert (case.department_id, case.version) == (department, version)


def test_transfer_to_an_unknown_department_is_a_404(county):
    case = next(c for c in county.cases if c.status != Status.DRAFT)
    department = case.department_id
    client = Client()
    client.force_login(_staff_seeing(case, county.users))
    missing = (Department.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    response = client.post(
        f"/cases/{case.pk}/act/",
        {"action": "transfer", "department": missing, "version": case.version, "reason": "转办"},
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.department_id == department


def test_extension_decision_request_not_an_integer_is_a_400(as_role, county):
    pending = ExtensionRequest.objects.filter(approved=None).select_related("ticket").first()
    assert pending is not None, "the demo has a ticket waiting for an extension decision"
    state = (pending.ticket.status, pending.ticket.due_at, pending.approved)
    response = as_role("dispatcher").post(
        f"/hotline/{pending.ticket_id}/decide_extension/", {"request": "abc", "approve": "1"}
    )
    assert response.status_code == 400
    pending.refresh_from_db()
    pending.ticket.refresh_from_db()
    assert (pending.ticket.status, pending.ticket.due_at, pending.approved) == state


def test_dispatch_list_filter_not_an_integer_is_a_400(as_role):
    response = as_role("dispatcher").get("/hotline/dispatch/", {"category": "²"})
    assert response.status_code == 400
    assert "category" in response.content.decode()


# --- found by the fuzz test ---------------------------------------------------------------------


def test_elder_mode_next_that_is_not_a_path_redirects_home(county):
    response = Client().post("/elder-mode", {"next": "NaN"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_apply_draft_id_in_unicode_digits_is_a_400(as_role, county):
    item = county.cases[0].item
    before = Case.objects.count()
    response = as_role("citizen").post(f"/cases/apply/{item.pk}/", {"draft": "²"})
    assert response.status_code == 400
    assert Case.objects.count() == before


def test_grid_events_page_beyond_the_database_range_shows_a_page(as_role):
    response = as_role("grid_worker").get("/grid/events/", {"page": str(2**70)})
    assert response.status_code == 200


def test_dispatch_co_department_beyond_the_database_range_is_ignored(as_role, county):
    ticket = Ticket.objects.filter(status="new").order_by("pk").first()
    lead = Department.objects.order_by("pk").first()
    response = as_role("dispatcher").post(
        f"/hotline/{ticket.pk}/dispatch/",
        {"lead_department": lead.pk, "co_departments": [str(2**70)], "note": ""},
    )
    assert response.status_code == 302
    assert not ticket.co_departments.exists()


def test_dispatch_rule_co_department_beyond_the_database_range_is_a_field_error(as_role):
    from yiwang.hotline.models import DispatchRule

    rule = DispatchRule.objects.order_by("pk").first()
    co = set(rule.co_departments.values_list("pk", flat=True))
    response = as_role("dispatcher").post(
        f"/hotline/config/rules/{rule.pk}/",
        {
            "category": rule.category_id,
            "region": rule.region_id,
            "lead_department": rule.lead_department_id,
            "co_departments": [str(2**70)],
            "priority": "0",
        },
    )
    assert response.status_code == 200  # the form again, with the field's error
    assert response.context["form"].errors["co_departments"]
    assert set(rule.co_departments.values_list("pk", flat=True)) == co


# --- Open311: control characters, its own error format ---------------------------------------


def test_open311_strips_control_characters_and_xml_stays_well_formed(as_role, api_key):
    client = as_role(None)
    response = _open311_post(
        client,
        api_key,
        description="井盖\x01丢失\x0b，请尽快处理\x1b。\n第二行",
        address_string="湖寮镇\x07新城路",
        first_name="梅\x02",
        last_name="李",
    )
    assert response.status_code == 200, response.content
    number = response.json()[0]["service_request_id"]
    ticket = Ticket.objects.get(number=number)
    assert ticket.content == "井盖丢失，请尽快处理。\n第二行"
    assert ticket.address == "湖寮镇新城路"
    listing = client.get("/open311/v2/requests.xml")
    assert listing.status_code == 200
    root = ET.fromstring(listing.content)  # noqa: S314 - our own response
    numbers = [row.findtext("service_request_id") for row in root.iter("request")]
    assert number in numbers


def test_open311_xml_well_formed_even_with_stored_control_characters(as_role, api_key):
    client = as_role(None)
    number = _open311_post(client, api_key).json()[0]["service_request_id"]
    Ticket.objects.filter(number=number).update(content="旧数据\x01\x0b含控制字符")
    listing = client.get("/open311/v2/requests.xml")
    root = ET.fromstring(listing.content)  # noqa: S314 - our own response
    row = next(r for r in root.iter("request") if r.findtext("service_request_id") == number)
    assert row.findtext("description") == "旧数据含控制字符"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_wrong_method_is_a_405_in_its_format(fmt, county):
    client = Client(enforce_csrf_checks=True)  # as a real client: no CSRF token
    response = client.post(f"/open311/v2/discovery.{fmt}")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    _assert_open311_error(response, fmt, 405)
    response = client.delete(f"/open311/v2/requests.{fmt}")
    assert response.status_code == 405
    _assert_open311_error(response, fmt, 405)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_unknown_path_is_a_404_in_its_format(fmt, county):
    response = Client().get(f"/open311/v2/nothing-here.{fmt}")
    assert response.status_code == 404
    _assert_open311_error(response, fmt, 404)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_bad_page_size_is_a_400(fmt, county):
    response = Client().get(f"/open311/v2/requests.{fmt}", {"page_size": "NaN", "page": "2**70"})
    assert response.status_code == 400
    _assert_open311_error(response, fmt, 400, count=2)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_server_error_is_in_its_format(fmt, county, monkeypatch):
    from yiwang.hotline.open311 import views

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "_leaf_services", broken)
    response = Client(raise_request_exception=False).get(f"/open311/v2/services.{fmt}")
    assert response.status_code == 500
    _assert_open311_error(response, fmt, 500)
    assert b"boom" not in response.content


def _assert_open311_error(response, fmt: str, status: int, count: int = 1) -> None:
    if fmt == "json":
        assert response["Content-Type"] == "application/json"
        assert [row["code"] for row in response.json()] == [status] * count
        assert all(row["description"] for row in response.json())
    else:
        assert response["Content-Type"].startswith("text/xml")
        root = ET.fromstring(response.content)  # noqa: S314 - our own response
        assert root.tag == "errors"
        assert [e.findtext("code") for e in root.iter("error")] == [str(status)] * count


# --- NUL characters ------------------------------------------------------------------------


def test_nul_in_query_string_is_refused(county):
    response = Client().get("/services/", {"q": "餐饮\x00"})
    assert response.status_code == 400
    assert b'data-testid="bad-request"' in response.content


def test_nul_in_path_is_refused(county):
    response = Client().get("/cases/track/abc%00def/")
    assert response.status_code == 400
    response = Client().get("/open311/v2/requests/12345%00.xml")
    assert response.status_code == 400
    _assert_open311_error(response, "xml", 400)


def test_malformed_multipart_body_is_a_400(county):
    response = Client().generic(
        "POST",
        "/accounts/login/",
        b'--xx\r\nContent-Disposition: form-data; name="username"\r\n\r\nabc',
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400


def test_nul_in_form_field_is_refused_and_nothing_stored(as_role, api_key):
    before = Ticket.objects.count()
    response = _open311_post(as_role(None), api_key, description="占道\x00经营")
    assert response.status_code == 400
    assert problem_codes(response) == [400]
    assert "description" in response.json()[0]["description"]
    assert Ticket.objects.count() == before


def test_nul_in_login_form_is_refused(county):
    response = Client().post("/accounts/login/", {"username": "citizen\x00", "password": "x"})
    assert response.status_code == 400


def test_nul_in_json_body_is_refused_as_problem_json(county):
    body = json.dumps({"device": "sensor\x00", "value": 1})
    response = Client().post("/grid/sensors/webhook/", body, content_type="application/json")
    assert response.status_code == 400
    response = Client().get("/api/v1/catalog/items", {"q": "\x00"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "nul_character"


def test_api_unknown_path_is_problem_json(county):
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404
