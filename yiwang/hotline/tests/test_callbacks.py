"""回访记录: every call-back result is kept; the figures and the department assessment (考核)
count them, a reopened ticket's first 不满意 included; the migrations that fill the history
and tidy the timeline's departments."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as global_apps
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError

from yiwang.hotline import actions, stats
from yiwang.hotline.models import CallBack, EventAction, Status, TicketEvent
from yiwang.workdays import calendar as workdays

from .test_actions import register


def handled(w, ticket, dept, handler):
    """Dispatch (or re-dispatch after a reopen), sign, reply and close."""
    if ticket.status == Status.NEW:
        ticket = actions.dispatch(actor=w.dispatcher, ticket=ticket, lead_department=dept)
    elif ticket.lead_department_id != dept.pk:
        ticket = actions.redispatch(actor=w.dispatcher, ticket=ticket, lead_department=dept)
    ticket = actions.sign_for(actor=handler, ticket=ticket)
    ticket = actions.reply(actor=handler, ticket=ticket, text="已处理")
    return actions.close(actor=w.dispatcher, ticket=ticket)


def period():
    today = workdays.today()
    return stats.Period("custom", today - timedelta(days=3), today)


def figures(user):
    cache.clear()
    return stats.compute(user, period(), use_cache=False)["tickets"]


# --- the action writes the history --------------------------------------------------------


def test_every_call_back_is_recorded_with_the_department_of_the_moment(world):
    w = world
    t = handled(w, register(w).ticket, w.scj, w.handler_scj)
    t = actions.record_callback(actor=w.agent, ticket=t, satisfaction="dissatisfied", note="没人来")
    assert t.status == Status.REOPENED and t.satisfaction == ""  # the ticket's round is cleared
    t = handled(w, t, w.huliao_gov, w.handler_huliao)  # re-dispatched after the reopen
    actions.record_callback(actor=w.agent, ticket=t, satisfaction="satisfied")
    rows = list(CallBack.objects.filter(ticket=t).values_list("round", "satisfaction", "result"))
    assert rows == [(1, "dissatisfied", "reopened"), (2, "satisfied", "closed")]
    first, second = CallBack.objects.filter(ticket=t).order_by("round")
    assert (first.department, second.department) == (w.scj, w.huliao_gov)
    assert first.actor == w.agent and first.note == "没人来" and first.at <= second.at


def test_ticket_page_lists_every_round(client, world):
    w = world
    t = handled(w, register(w).ticket, w.scj, w.handler_scj)
    t = actions.record_callback(actor=w.agent, ticket=t, satisfaction="dissatisfied")
    t = handled(w, t, w.scj, w.handler_scj)
    actions.record_callback(actor=w.agent, ticket=t, satisfaction="satisfied")
    client.force_login(w.dispatcher)
    html = client.get(f"/hotline/{t.pk}/").content.decode()
    assert 'data-testid="callback-records"' in html
    assert 'data-round="1" data-satisfaction="dissatisfied"' in html
    assert 'data-round="2" data-satisfaction="satisfied"' in html


def test_refused_call_backs_leave_no_record(world):
    w = world
    t = handled(w, register(w).ticket, w.scj, w.handler_scj)
    with pytest.raises(ValidationError):
        actions.record_callback(actor=w.agent, ticket=t, satisfaction="great")
    with pytest.raises(PermissionDenied):  # another town's agent
        actions.record_callback(actor=w.agent_gaobei, ticket=t, satisfaction="satisfied")
    with pytest.raises(PermissionDenied):  # a handler does not call back
        actions.record_callback(actor=w.handler_scj, ticket=t, satisfaction="satisfied")
    open_ticket = register(w, content="另一家店的熟食也有异味", caller_phone="13700000009").ticket
    with pytest.raises(ValidationError):  # not closed yet
        actions.record_callback(actor=w.agent, ticket=open_ticket, satisfaction="satisfied")
    actions.record_callback(actor=w.agent, ticket=t, satisfaction="basic")
    with pytest.raises(ValidationError):  # already called back
        actions.record_callback(actor=w.agent, ticket=t, satisfaction="satisfied")
    assert list(CallBack.objects.values_list("satisfaction", flat=True)) == ["basic"]


# --- figures ------------------------------------------------------------------------------


def test_figures_after_dissatisfied_reopen_satisfied(world):
    """The first 不满意 stays in the figures after the reopen and the second call-back."""
    w = world
    t = handled(w, register(w).ticket, w.scj, w.handler_scj)
    t = actions.record_callback(actor=w.agent, ticket=t, satisfaction="dissatisfied")
    t = handled(w, t, w.scj, w.handler_scj)
    actions.record_callback(actor=w.agent, ticket=t, satisfaction="satisfied")

    data = figures(w.leader)
    total = data["total"]
    assert (total["total"], total["closed"], total["called_back"]) == (1, 1, 1)
    assert (total["rated"], total["fully_satisfied"], total["basic"], total["dissatisfied"]) == (
        2,
        1,
        0,
        1,
    )
    assert total["satisfaction_rate"] == 50.0 and total["dissatisfaction_rate"] == 50.0
    scj = {r["key"]: r for r in data["by_department"]}[w.scj.pk]
    assert (scj["rated"], scj["dissatisfied"], scj["satisfaction_rate"]) == (2, 1, 50.0)
    by_type = {r["key"]: r for r in data["by_type"]}
    assert by_type["complaint"]["rated"] == 2 and by_type["complaint"]["dissatisfied"] == 1
    assert sum(r["rated"] for r in data["trend"]) == 2
    assessed = {r["key"]: r for r in data["assessment"]}
    assert assessed[w.scj.pk]["rank"] == 1 and assessed[w.scj.pk]["dissatisfaction_rate"] == 50.0


def test_dissatisfaction_counts_against_the_department_that_handled_it_then(world):
    w = world
    t = handled(w, register(w).ticket, w.scj, w.handler_scj)
    t = actions.record_callback(actor=w.agent, ticket=t, satisfaction="dissatisfied")
    t = handled(w, t, w.huliao_gov, w.handler_huliao)
    actions.record_callback(actor=w.agent, ticket=t, satisfaction="satisfied")

    by_dept = {r["key"]: r for r in figures(w.leader)["by_department"]}
    scj, huliao = by_dept[w.scj.pk], by_dept[w.huliao_gov.pk]
    assert (scj["total"], scj["rated"], scj["dissatisfied"]) == (0, 1, 1)
    assert scj["dissatisfaction_rate"] == 100.0
    assert (huliao["total"], huliao["rated"], huliao["fully_satisfied"]) == (1, 1, 1)
    assert huliao["dissatisfaction_rate"] == 0.0


def test_call_back_figures_follow_the_scope(world):
    w = world
    t = handled(w, register(w).ticket, w.scj, w.handler_scj)
    actions.record_callback(actor=w.agent, ticket=t, satisfaction="dissatisfied")
    assert figures(w.dispatcher_gaobei)["total"]["rated"] == 0  # 湖寮镇's ticket
    assert figures(w.leader)["total"]["rated"] == 1


# --- the assessment (考核) ------------------------------------------------------------------


def row(key, name, *, total=5, closed=4, on_time=4, rated=0, fully=0, basic=0, dissatisfied=0):
    fig = stats.Figures(
        total=total,
        closed=closed,
        on_time=on_time,
        rated=rated,
        satisfied=fully + basic,
        fully_satisfied=fully,
        basic=basic,
        dissatisfied=dissatisfied,
    )
    return {"key": key, "name": name, **fig.as_dict()}


def test_ranking_rule():
    rows = [
        row(None, "未派单", rated=9, dissatisfied=9),  # not a department
        row(1, "甲局", rated=4, fully=2, basic=2),  # 0 % dissatisfied, half fully satisfied
        row(2, "乙局", rated=4, fully=3, dissatisfied=1),  # 25 % dissatisfied
        row(3, "丙局", total=9, rated=2, fully=1, basic=1),  # ties with 甲局 on every rule
        row(4, "丁局", rated=2, fully=2, on_time=1),  # 0 %, all fully satisfied: best
        row(5, "戊局", rated=0),  # no call-back: not ranked
        row(6, "己局", rated=4, fully=2, basic=2, on_time=2),  # like 甲局 but late more often
    ]
    ranked = stats.assess(rows)
    assert [(r["name"], r["rank"]) for r in ranked] == [
        ("丁局", 1),
        ("丙局", 2),  # shares rank 2 with 甲局; more tickets first within the rank
        ("甲局", 2),
        ("己局", 4),
        ("乙局", 5),
        ("戊局", None),
    ]
    assert ranked[0]["dissatisfaction_rate"] == 0.0 and ranked[4]["dissatisfaction_rate"] == 25.0


def test_ranking_from_real_call_backs(world):
    w = world
    good = handled(w, register(w).ticket, w.huliao_gov, w.handler_huliao)
    actions.record_callback(actor=w.agent, ticket=good, satisfaction="satisfied")
    bad = handled(
        w,
        register(w, content="菜市场的猪肉注水", caller_phone="13700000001").ticket,
        w.scj,
        w.handler_scj,
    )
    actions.record_callback(actor=w.agent, ticket=bad, satisfaction="dissatisfied")
    register(w, content="还没派单的问题", caller_phone="13700000002")
    assessment = figures(w.leader)["assessment"]
    assert [(r["key"], r["rank"]) for r in assessment] == [(w.huliao_gov.pk, 1), (w.scj.pk, 2)]


def test_stats_page_and_export_show_the_assessment(client, world):
    from io import BytesIO

    from django.urls import reverse
    from openpyxl import load_workbook

    w = world
    t = handled(w, register(w).ticket, w.scj, w.handler_scj)
    actions.record_callback(actor=w.agent, ticket=t, satisfaction="dissatisfied")
    cache.clear()
    client.force_login(w.leader)
    page = client.get(reverse("hotline:stats"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="assessment"' in html and f'data-department="{w.scj.pk}"' in html
    assert 'data-rank="1"' in html
    export = client.get(reverse("hotline:stats_export"))
    book = load_workbook(BytesIO(export.content))
    sheet = next(
        ws
        for ws in book.worksheets
        if ws.cell(row=2, column=1).value == 1 and ws.cell(row=2, column=2).value == w.scj.name
    )
    values = [c.value for c in sheet[2]]
    assert values[1] == w.scj.name and values[-2:] == [0.0, 100.0]
    client.force_login(w.handler_scj)  # not a dispatcher, leader or the data authority
    assert client.get(reverse("hotline:stats")).status_code == 403
    assert client.get(reverse("hotline:stats_export")).status_code == 403


# --- migrations ------------------------------------------------------------------------------


def migration(name):
    return importlib.import_module(f"yiwang.hotline.migrations.{name}")


def test_history_is_filled_from_the_timeline(world):
    """Tickets called back before the history existed: their timeline steps (with the old
    department on every step) become the records, the erased first 不满意 included."""
    w = world
    t = handled(w, register(w).ticket, w.scj, w.handler_scj)
    t = actions.record_callback(actor=w.agent, ticket=t, satisfaction="dissatisfied")
    t = handled(w, t, w.huliao_gov, w.handler_huliao)
    t = actions.record_callback(actor=w.agent, ticket=t, satisfaction="basic")
    first_step = t.events.filter(action=EventAction.CALLBACK).order_by("at", "id").first()
    TicketEvent.objects.filter(pk=first_step.pk).update(department=w.scj)  # as before 0898a4c
    CallBack.objects.all().delete()

    fill = migration("0005_callback_history_from_timeline")
    fill.fill(global_apps, None)
    records = list(
        CallBack.objects.order_by("round").values_list(
            "round", "satisfaction", "result", "department_id", "actor_id"
        )
    )
    assert records == [
        (1, "dissatisfied", "reopened", w.scj.pk, w.agent.pk),
        (2, "basic", "closed", w.huliao_gov.pk, w.agent.pk),  # no department on the step
    ]
    fill.fill(global_apps, None)  # running again adds nothing
    assert CallBack.objects.count() == 2
    fill.empty(global_apps, None)
    assert not CallBack.objects.exists()


def test_ticket_satisfaction_without_timeline_step_becomes_a_record(world):
    w = world
    t = handled(w, register(w).ticket, w.scj, w.handler_scj)
    t = actions.record_callback(actor=w.agent, ticket=t, satisfaction="satisfied")
    t.events.filter(action=EventAction.CALLBACK).delete()
    CallBack.objects.all().delete()
    migration("0005_callback_history_from_timeline").fill(global_apps, None)
    record = CallBack.objects.get()
    assert (record.round, record.satisfaction, record.department) == (1, "satisfied", w.scj)
    assert record.at == t.callback_at


def test_old_dispatcher_steps_lose_their_department_reversibly(world):
    w = world
    t = handled(w, register(w).ticket, w.scj, w.handler_scj)
    # Before 0898a4c every step named the lead department.
    TicketEvent.objects.filter(ticket=t).update(department=w.scj)
    before = dict(TicketEvent.objects.filter(ticket=t).values_list("pk", "department_id"))
    tidy = migration("0006_timeline_departments_on_handler_steps_only")

    tidy.clear(global_apps, None)
    after = {e.action: e.department_id for e in TicketEvent.objects.filter(ticket=t).order_by("id")}
    assert after[EventAction.SIGN] == after[EventAction.REPLY] == w.scj.pk  # handler steps
    for action in (EventAction.REGISTER, EventAction.DISPATCH, EventAction.CLOSE):
        assert after[action] is None, action
    tidy.clear(global_apps, None)  # idempotent

    tidy.restore(global_apps, None)
    events = TicketEvent.objects.filter(ticket=t)
    assert dict(events.values_list("pk", "department_id")) == before
    assert not any(tidy.KEY in (e.data or {}) for e in events)


def test_new_dispatcher_steps_name_no_department(world):
    """The rule the migration applies to old steps is the one new steps follow."""
    w = world
    t = handled(w, register(w).ticket, w.scj, w.handler_scj)
    named = set(
        TicketEvent.objects.filter(ticket=t, department__isnull=False).values_list(
            "action", flat=True
        )
    )
    assert named == {EventAction.SIGN, EventAction.REPLY}
    tidy = migration("0006_timeline_departments_on_handler_steps_only")
    assert set(tidy.HANDLER_ACTIONS) == set(actions.HANDLER_ACTIONS)
