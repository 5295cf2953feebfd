"""The calendar page (data authority only) and the deadline calculator (all staff)."""

import datetime as dt

import pytest
from django.urls import reverse

from yiwang.audit.models import AuditEntry
from yiwang.workdays import actions
from yiwang.workdays.models import HolidayOverride

from .conftest import PASSWORD

D = dt.date
NOTICE = "国务院办公厅关于2027年部分节假日安排的通知"
pytestmark = [pytest.mark.django_db]


@pytest.fixture
def as_user(client):
    def login(user):
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return login


def test_logged_out_visitors_are_sent_to_login(client):
    for name in ("workdays:calendar", "workdays:calculator"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["window_staff", "citizen"])
def test_calendar_is_for_the_data_authority_only(request, as_user, who):
    client = as_user(request.getfixturevalue(who))
    assert client.get(reverse("workdays:calendar")).status_code == 403
    response = client.post(
        reverse("workdays:calendar"),
        {
            "date": "2027-02-08",
            "is_workday": "0",
            "name": "2027年春节",
            "source_notice": NOTICE,
        },
    )
    assert response.status_code == 403
    assert not HolidayOverride.objects.exists()


def test_calculator_is_for_any_staff_not_citizens(as_user, window_staff, citizen):
    url = reverse("workdays:calculator") + "?start=2025-09-30&days=1"
    response = as_user(window_staff).get(url)
    assert response.status_code == 200
    assert "2025-10-09" in response.content.decode()
    assert as_user(citizen).get(url).status_code == 403


def test_calendar_shows_the_year(as_user, authority):
    response = as_user(authority).get(reverse("workdays:calendar"), {"year": 2025})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="wd-months"' in html
    assert "10月1日" in html and "国庆节" in html
    months = response.context["months"]
    october = months[9]["weeks"]
    cells = {c["date"]: c for week in october for c in week if c}
    assert cells[D(2025, 10, 1)]["kind"] == "holiday"
    assert cells[D(2025, 10, 11)]["kind"] == "adjusted"
    assert "wd-adjusted" in cells[D(2025, 10, 11)]["css"]
    assert response.context["workday_count"] == 248
    assert response.context["source"] == "package"


def test_unpublished_year_is_marked_provisional(as_user, authority):
    response = as_user(authority).get(reverse("workdays:calendar"), {"year": 2027})
    assert response.status_code == 200
    assert response.context["source"] == "provisional"
    assert 'id="year-source"' in response.content.decode()
    cells = [c for m in response.context["months"] for w in m["weeks"] for c in w if c]
    assert {c["kind"] for c in cells} == {"provisional"}


def test_bad_year_is_explained_and_the_current_year_shown(as_user, authority):
    response = as_user(authority).get(reverse("workdays:calendar"), {"year": "1999"})
    assert response.status_code == 200
    assert response.context["year_form"].errors["year"]
    assert "2004" in response.content.decode()
    response = as_user(authority).get(reverse("workdays:calendar"), {"year": "abc"})
    assert response.context["year_form"].errors["year"]


def test_authority_adds_an_override(as_user, authority, frozen_today):
    client = as_user(authority)
    response = client.post(
        reverse("workdays:calendar") + "?year=2027",
        {
            "date": "2027-02-06",
            "is_workday": "1",
            "name": "2027年春节调休",
            "source_notice": NOTICE,
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?year=2027")
    override = HolidayOverride.objects.get(date=D(2027, 2, 6))
    assert override.is_workday is True
    assert override.created_by == authority
    assert AuditEntry.objects.filter(action="workdays.override.create").count() == 1
    page = client.get(response["Location"])
    assert page.context["source"] == "overrides"
    assert "2027年春节调休" in page.content.decode()
    cells = {c["date"]: c for m in page.context["months"] for w in m["weeks"] for c in w if c}
    assert cells[D(2027, 2, 6)]["kind"] == "adjusted"  # a Saturday that works
    assert cells[D(2027, 2, 8)]["kind"] == "workday"


def test_missing_notice_is_shown_on_the_form(as_user, authority, frozen_today):
    response = as_user(authority).post(
        reverse("workdays:calendar"),
        {
            "date": "2027-02-08",
            "is_workday": "0",
            "name": "2027年春节",
            "source_notice": "",
        },
    )
    assert response.status_code == 400
    assert response.context["override_form"].errors["source_notice"]
    assert not HolidayOverride.objects.exists()


def test_duplicate_and_old_dates_are_shown_on_the_form(as_user, authority, frozen_today):
    actions.set_override(
        actor=authority,
        date=D(2027, 2, 8),
        is_workday=False,
        name="2027年春节",
        source_notice=NOTICE,
    )
    client = as_user(authority)
    response = client.post(
        reverse("workdays:calendar"),
        {
            "date": "2027-02-08",
            "is_workday": "0",
            "name": "重复",
            "source_notice": NOTICE,
        },
    )
    assert response.status_code == 400
    assert "2027年春节" in response.context["override_form"].errors["date"][0]
    response = client.post(
        reverse("workdays:calendar"),
        {
            "date": "2024-10-01",
            "is_workday": "0",
            "name": "国庆",
            "source_notice": NOTICE,
        },
    )
    assert response.status_code == 400
    assert "2024-10-01" in response.context["override_form"].errors["date"][0]
    assert HolidayOverride.objects.count() == 1


def test_authority_deletes_an_override(as_user, authority, frozen_today):
    override = actions.set_override(
        actor=authority,
        date=D(2027, 2, 8),
        is_workday=False,
        name="2027年春节",
        source_notice=NOTICE,
    )
    response = as_user(authority).post(reverse("workdays:override_delete", args=[override.pk]))
    assert response.status_code == 302
    assert not HolidayOverride.objects.exists()
    assert AuditEntry.objects.filter(action="workdays.override.delete").count() == 1


def test_delete_is_refused_for_window_staff_and_needs_post(
    as_user, authority, window_staff, frozen_today
):
    override = actions.set_override(
        actor=authority,
        date=D(2027, 2, 8),
        is_workday=False,
        name="2027年春节",
        source_notice=NOTICE,
    )
    url = reverse("workdays:override_delete", args=[override.pk])
    assert as_user(window_staff).post(url).status_code == 403
    assert as_user(authority).get(url).status_code == 405
    assert HolidayOverride.objects.filter(pk=override.pk).exists()


def test_calculator_on_the_calendar_page(as_user, authority):
    response = as_user(authority).get(
        reverse("workdays:calendar"), {"year": 2026, "start": "2026-12-30", "days": 5}
    )
    result = response.context["calc_result"]
    assert result["due"].date == D(2027, 1, 6)
    assert result["due"].provisional is True
    assert 'id="calc-due"' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2025-09-30", "days": "-1"}, "days"),
        ({"start": "2025-09-30", "days": "x"}, "days"),
        ({"start": "30/09/2025", "days": "3"}, "start"),
        ({"start": "1890-01-01", "days": "3"}, "start"),
        ({"start": "2025-09-30", "days": "100000"}, "days"),
    ],
)
def test_calculator_bad_input(as_user, window_staff, params, field):
    response = as_user(window_staff).get(reverse("workdays:calculator"), params)
    assert response.status_code == 200
    assert response.context["calc_result"] is None
    assert response.context["calc_form"].errors[field]


def test_calendar_page_query_count_does_not_grow_with_overrides(as_user, authority, frozen_today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(authority)

    def add(days):
        for day in days:
            actions.set_override(
                actor=authority,
                date=D(2027, 1, day),
                is_workday=False,
                name="测试",
                source_notice=NOTICE,
            )

    add([1])
    client.get(reverse("workdays:calendar"), {"year": 2027})
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("workdays:calendar"), {"year": 2027})
    add(range(2, 15))
    client.get(reverse("workdays:calendar"), {"year": 2027})
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("workdays:calendar"), {"year": 2027})
    assert len(many) == len(one)
    assert len(response.context["overrides"]) == 14


def test_calculator_alone_does_not_flag_the_year_field(as_user, authority):
    response = as_user(authority).get(
        reverse("workdays:calendar"), {"start": "2025-09-30", "days": "3"}
    )
    assert not response.context["year_form"].is_bound
    assert response.context["calc_result"]["due"].date == D(2025, 10, 11)
