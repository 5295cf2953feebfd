"""12345 figures: correct numbers on a small fixture, scope, constant query count, Excel export."""

from datetime import datetime, time, timedelta
from io import BytesIO
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from yiwang.audit.actors import SystemActor
from yiwang.hotline import actions as hotline
from yiwang.hotline import stats
from yiwang.hotline.models import Channel
from yiwang.workdays import calendar as workdays

from .conftest import HULIAO_POINT, staff


def register(
    world, *, category, type="complaint", region=None, kb=None, content=None, channel="phone"
):
    return hotline.register_ticket(
        actor=world.agent if channel == Channel.PHONE else SystemActor(f"{channel}:test"),
        channel=channel,
        type=type,
        category=category,
        content=content or f"{category.name}的问题，请尽快处理",
        caller_phone="13800000001",
        region=region or world.huliao,
        lat=HULIAO_POINT[0] if region is None else None,
        lng=HULIAO_POINT[1] if region is None else None,
        answered_from_kb=kb,
    ).ticket


def handle(world, ticket, dept, handler):
    hotline.dispatch(actor=world.dispatcher, ticket=ticket, lead_department=dept)
    ticket.refresh_from_db()
    hotline.sign_for(actor=handler, ticket=ticket)
    hotline.reply(actor=handler, ticket=ticket, text="已处理完毕")
    hotline.close(actor=world.dispatcher, ticket=ticket)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def figures_world(world):
    """Five tickets: 3 closed (2 on time), 2 called back (1 satisfied, 1 dissatisfied)."""
    cache.clear()
    now = timezone.now()
    # Last week: a help request closed long after its deadline.
    with mock.patch("django.utils.timezone.now", return_value=now - timedelta(days=7)):
        late = register(world, category=world.food, type="help")
        hotline.dispatch(actor=world.dispatcher, ticket=late, lead_department=world.scj)
    late.refresh_from_db()
    after_due = timezone.make_aware(datetime.combine(late.due_at + timedelta(days=10), time(10)))
    with mock.patch("django.utils.timezone.now", return_value=after_due):
        hotline.sign_for(actor=world.handler_scj, ticket=late)
        hotline.reply(actor=world.handler_scj, ticket=late, text="已处理")
        hotline.close(actor=world.dispatcher, ticket=late)
    # This week: on time, called back satisfied.
    ok = handle(
        world, register(world, category=world.stall), world.huliao_gov, world.handler_huliao
    )
    hotline.record_callback(actor=world.agent, ticket=ok, satisfaction="satisfied")
    # A consultation answered from the knowledge base (no deadline: on time), dissatisfied.
    kb = register(world, category=world.food, type="consult", kb=7, content="餐饮许可证怎么办理")
    hotline.record_callback(actor=world.agent, ticket=kb, satisfaction="dissatisfied")
    # Open tickets: one in 湖寮镇, one in 高陂镇.
    register(world, category=world.noise, content="夜间工地施工噪声扰民")
    register(
        world,
        category=world.stall,
        region=world.gaobei,
        content="高陂镇圩日摊贩占道",
        channel=Channel.OPEN311,
    )
    return world


def custom(days=8):
    today = workdays.today()
    return stats.Period("custom", today - timedelta(days=days), today)


@pytest.mark.django_db
def test_figures_are_computed_correctly(figures_world):
    w = figures_world
    data = stats.compute(w.leader, custom(), use_cache=False)
    total = data["tickets"]["total"]
    assert total["total"] == 5
    assert total["closed"] == 3
    assert total["on_time"] == 2
    assert total["on_time_rate"] == pytest.approx(66.7)
    assert total["called_back"] == 2
    assert total["callback_rate"] == pytest.approx(66.7)
    assert total["satisfaction_rate"] == 50.0
    by_type = {r["key"]: r["total"] for r in data["tickets"]["by_type"]}
    assert by_type == {"complaint": 3, "help": 1, "consult": 1}
    by_channel = {r["key"]: r["total"] for r in data["tickets"]["by_channel"]}
    assert by_channel == {"phone": 4, "open311": 1}
    by_category = {r["name"]: r["total"] for r in data["tickets"]["by_category"]}
    assert by_category == {"市容环境": 3, "市场监管": 2}  # rolled up to 大类
    by_dept = {r["name"]: r for r in data["tickets"]["by_department"]}
    assert by_dept["大埔县市场监督管理局"]["on_time_rate"] == 0.0
    assert by_dept["大埔县湖寮镇人民政府"]["on_time_rate"] == 100.0
    assert by_dept["大埔县湖寮镇人民政府"]["satisfaction_rate"] == 100.0
    by_town = {r["name"]: r["total"] for r in data["tickets"]["by_town"]}
    assert by_town == {"湖寮镇": 4, "高陂镇": 1}
    trend = data["tickets"]["trend"]
    assert len(trend) == 9
    assert sum(r["total"] for r in trend) == 5
    assert trend[-1]["total"] == 4 and trend[1]["total"] == 1


@pytest.mark.django_db
def test_periods(figures_world):
    this_week = stats.compute(figures_world.leader, stats.resolve_period({}), use_cache=False)
    assert this_week["tickets"]["total"]["total"] == 4
    last_week = stats.resolve_period({"period": "last_week"})
    assert last_week.end - last_week.start == timedelta(days=6)
    data = stats.compute(figures_world.leader, last_week, use_cache=False)
    assert data["tickets"]["total"]["total"] == 1
    month = stats.resolve_period({"period": "this_month"})
    assert month.start.day == 1


@pytest.mark.django_db
def test_hot_spots_compare_this_week_with_last(figures_world):
    data = stats.compute(figures_world.leader, custom(), use_cache=False)
    cats = {r["name"]: r for r in data["hot_spots"]["categories"]}
    assert cats["流动摊贩"]["this_week"] == 2
    assert cats["食品安全"]["this_week"] == 1
    assert cats["食品安全"]["last_week"] == 1
    assert cats["食品安全"]["change"] == 0
    assert cats["食品安全"]["change_pct"] == 0.0
    assert cats["流动摊贩"]["change_pct"] is None  # nothing last week
    places = {r["name"]: r for r in data["hot_spots"]["places"]}
    assert places["湖寮镇"]["this_week"] == 3
    assert places["湖寮镇"]["last_week"] == 1
    assert places["高陂镇"]["this_week"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"period": "forever"},
        {"period": "custom", "start": "2026-05-10", "end": "2026-05-01"},
        {"period": "custom", "start": "yesterday", "end": "2026-05-01"},
        {"period": "custom", "start": "2024-01-01", "end": "2026-01-01"},
    ],
)
def test_bad_periods_are_refused(params):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        stats.resolve_period(params)


@pytest.mark.django_db
def test_scope_limits_a_town_dispatcher(figures_world):
    data = stats.compute(figures_world.dispatcher_gaobei, custom(), use_cache=False)
    assert data["tickets"]["total"]["total"] == 1
    assert [r["name"] for r in data["tickets"]["by_town"]] == ["高陂镇"]
    assert [r["name"] for r in data["hot_spots"]["places"]] == ["高陂镇"]


@pytest.mark.django_db
def test_page_requires_dispatcher_leader_or_authority(client, figures_world):
    w = figures_world
    page = reverse("hotline:stats")
    assert client.get(page).status_code == 302  # to the login page
    for user in (w.handler_scj, w.agent, w.citizen):
        client.force_login(user)
        assert client.get(page).status_code == 403
        assert client.get(reverse("hotline:stats_export")).status_code == 403
    authority = staff(w.admin, "authority", "authority", w.sjj, w.dabu)
    for user in (w.leader, w.dispatcher, authority):
        client.force_login(user)
        assert client.get(page).status_code == 200


@pytest.mark.django_db
def test_page_shows_tables_and_chart_data(client, figures_world):
    client.force_login(figures_world.leader)
    response = client.get(
        reverse("hotline:stats"), {"period": "custom", "start": custom().start, "end": custom().end}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="stats-data"' in html
    assert "hotline/stats.js" in html
    assert "echarts.min.js" in html
    assert "66.7%" in html
    assert "大埔县市场监督管理局" in html
    charts = response.context["charts"]
    assert sum(charts["trend"]["total"]) == 5
    assert {t["value"] for t in charts["types"]} == {3, 1}


@pytest.mark.django_db
def test_page_with_invalid_range_shows_error(client, figures_world):
    client.force_login(figures_world.leader)
    response = client.get(reverse("hotline:stats"), {"period": "custom", "start": "x", "end": ""})
    assert response.status_code == 200
    assert response.context["errors"]["start"]
    assert response.context["period"].key == "this_week"


@pytest.mark.django_db
def test_query_count_is_constant(figures_world):
    w = figures_world
    stats.compute(w.leader, custom(), use_cache=False)  # the user's posts are loaded once
    with CaptureQueriesContext(connection) as few:
        stats.compute(w.leader, custom(), use_cache=False)
    for i in range(6):
        register(w, category=w.price if i % 2 else w.illegal, region=w.gaobei, content=f"问题{i}号")
    with CaptureQueriesContext(connection) as many:
        data = stats.compute(w.leader, custom(), use_cache=False)
    assert data["tickets"]["total"]["total"] == 11
    assert len(many.captured_queries) == len(few.captured_queries)
    # A fixed number of GROUP BY queries whatever the history: per dimension one over the
    # tickets and one over their call-back records, plus the names and the hot spots.
    assert len(few.captured_queries) <= 22


@pytest.mark.django_db
def test_excel_export_opens_with_openpyxl(client, figures_world):
    from openpyxl import load_workbook

    client.force_login(figures_world.leader)
    start, end = custom().start, custom().end
    response = client.get(
        reverse("hotline:stats_export"), {"period": "custom", "start": start, "end": end}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(BytesIO(response.content))
    assert len(wb.sheetnames) >= 8
    summary = wb.worksheets[0]
    assert summary.cell(row=2, column=2).value == 5  # tickets
    assert summary.cell(row=2, column=3).value == 3  # closed
    assert summary.cell(row=2, column=5).value == pytest.approx(66.7)
    by_channel = wb.worksheets[2]
    assert [row[0].value for row in by_channel.iter_rows(min_row=2)] == ["电话", "Open311接口"]
    by_dept = wb.worksheets[4]
    names = [row[0].value for row in by_dept.iter_rows(min_row=2)]
    assert "大埔县市场监督管理局" in names


@pytest.mark.django_db
def test_excel_city_events_sheet_has_its_own_headings(figures_world):
    from openpyxl import load_workbook

    from yiwang.hotline.stats_views import workbook

    period = custom()
    data = stats.compute(figures_world.leader, period, use_cache=False)
    row = {"key": "event:street_order", "name": "街面秩序", **stats.Figures(total=4).as_dict()}
    row.update(closed=3, on_time=2, rated=2, satisfied=1, on_time_rate=66.7)
    row.update(satisfaction_rate=50.0)
    data["events"] = {"total": row, "by_class": [row], "by_department": []}
    wb = load_workbook(BytesIO(workbook(data, period)))
    tickets_header = [c.value for c in wb.worksheets[0][1]]
    events_sheet = wb.worksheets[-1]
    header = [c.value for c in events_sheet[1]]
    called_back, callback_rate = tickets_header[5], tickets_header[6]
    assert called_back not in header and callback_rate not in header
    assert len(set(header)) == len(header) == 8
    assert [c.value for c in events_sheet[2]] == ["街面秩序", 4, 3, 2, 66.7, 2, 1, 50.0]
