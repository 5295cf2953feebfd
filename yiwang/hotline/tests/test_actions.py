"""Every hotline action: success, denial, bad input."""

from datetime import date, datetime, time, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yiwang.audit.actors import SystemActor
from yiwang.audit.models import AuditEntry
from yiwang.hotline import actions
from yiwang.hotline.models import (
    ExtensionRequest,
    Satisfaction,
    Status,
    Ticket,
    TicketEvent,
    TimeLimit,
)
from yiwang.notify.models import Message
from yiwang.workdays.calendar import CHINA_TZ

from .conftest import HULIAO_POINT, pdf_file, png_file


def register(w, **kw):
    args = {
        "actor": w.agent,
        "channel": "phone",
        "type": "complaint",
        "category": w.food,
        "content": "城东市场一家熟食店卖的卤肉变质，吃了拉肚子",
        "caller_name": "王五",
        "caller_phone": "13912345678",
        "address": "湖寮镇城东市场",
        "lat": HULIAO_POINT[0],
        "lng": HULIAO_POINT[1],
        "region": w.chengdong,
    }
    args.update(kw)
    return actions.register_ticket(**args)


def dispatched(w, **kw):
    ticket = register(w, **kw).ticket
    return actions.dispatch(actor=w.dispatcher, ticket=ticket, lead_department=w.scj)


def at(d: date, hour=10) -> datetime:
    return datetime.combine(d, time(hour), tzinfo=CHINA_TZ)


# --- register -------------------------------------------------------------------


def test_register_success(world):
    w = world
    result = register(w, photos=[png_file()])
    t = result.ticket
    assert t.number.startswith("12345-") and t.number.endswith(f"{t.pk:06d}")
    assert t.status == Status.NEW and t.town == w.huliao and t.region == w.chengdong
    assert t.caller_phone == "13912345678" and t.masked_phone == "139****5678"
    assert Ticket.objects.filter(caller_phone_index=t.caller_phone_index).count() == 1
    assert t.photos.count() == 1 and len(t.photos.get().sha256) == 64
    assert t.tokens
    assert AuditEntry.objects.filter(action="hotline.register", object_id=str(t.pk)).exists()
    assert t.events.get().action == "register"
    assert result.duplicates == []


@pytest.mark.parametrize(
    "field,kw",
    [
        ("category", {"category": "999999"}),
        ("category", {"category": None}),
        ("lat", {"lat": "23.1291", "lng": "113.2644"}),  # 广州
        ("content", {"content": "   "}),
        ("content", {"content": "长" * 2001}),
        ("photos", {"photos": [pdf_file()]}),
        ("caller_phone", {"caller_phone": "abc"}),
        ("type", {"type": "praise"}),
    ],
)
def test_register_bad_input(world, field, kw):
    with pytest.raises(ValidationError) as exc:
        register(world, **kw)
    assert field in exc.value.message_dict
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("channel", ["open311", "sensor"])
def test_system_channels_need_a_system_actor(world, channel):
    # Regression: with no actor (None) these channels used to accept anything.
    for nobody in (None, f"{channel}:someone", world.agent):
        with pytest.raises(PermissionDenied):
            register(world, actor=nobody, channel=channel)
    assert Ticket.objects.count() == 0
    ticket = register(world, actor=SystemActor(f"{channel}:test"), channel=channel).ticket
    assert ticket.channel == channel and ticket.registered_by is None


def test_register_refuses_group_category(world):
    with pytest.raises(ValidationError) as exc:
        register(world, category=world.env)
    assert "具体小类" in exc.value.message_dict["category"][0]


def test_register_outside_county_message_is_specific(world):
    with pytest.raises(ValidationError) as exc:
        register(world, lat="23.1", lng="113.2")
    assert "不在大埔县境内" in exc.value.message_dict["lat"][0]


def test_register_denied_for_agent_of_another_town_and_citizen_on_phone(world):
    with pytest.raises(PermissionDenied):
        register(world, actor=world.agent_gaobei)
    with pytest.raises(PermissionDenied):
        register(world, actor=world.handler_scj)
    assert Ticket.objects.count() == 0


def test_consult_answered_from_kb_closes_at_once(world):
    t = register(world, type="consult", content="社保卡丢了怎么补办", answered_from_kb=7).ticket
    assert t.status == Status.CLOSED and t.kb_article_id == 7 and t.closed_at
    assert list(t.events.values_list("action", flat=True)) == ["register", "close_at_once"]
    with pytest.raises(ValidationError):
        register(world, type="complaint", answered_from_kb=7)


def test_web_citizen_registration_links_account(world):
    t = register(world, actor=world.citizen, channel="web", caller_name="", caller_phone="").ticket
    assert t.citizen == world.citizen and t.caller_name == "李梅"
    assert t.caller_phone == "13800138000"


# --- dispatch ---------------------------------------------------------------------


def test_suggest_dispatch_most_specific_region(world):
    w = world
    t = register(w, category=w.stall, content="城东路口有人摆摊占道").ticket
    assert actions.suggest_dispatch(t) == (w.huliao_gov, [])
    t2 = register(w, category=w.stall, region=w.gaobei, lat=None, lng=None).ticket
    assert actions.suggest_dispatch(t2) == (w.zjj, [])
    t3 = register(w).ticket
    assert actions.suggest_dispatch(t3) == (w.scj, [w.zjj])


def test_dispatch_starts_clock_and_notifies(world):
    w = world
    t = register(w).ticket
    now = at(date(2025, 9, 22))
    with mock.patch("django.utils.timezone.now", return_value=now):
        t = actions.dispatch(
            actor=w.dispatcher, ticket=t, lead_department=w.scj, co_departments=[w.zjj]
        )
    assert t.status == Status.DISPATCHED and t.lead_department == w.scj
    assert list(t.co_departments.all()) == [w.zjj]
    assert t.sign_due == date(2025, 9, 23)
    # 13 working days from Mon 22 Sept 2025 skip 国庆 (1–8 Oct) and count 28 Sept / 11 Oct (调休).
    assert t.due_at == date(2025, 10, 15)
    assert Message.objects.filter(recipient=w.handler_scj).count() == 1


def test_dispatch_denied_and_bad_input(world):
    w = world
    t = register(w).ticket
    with pytest.raises(PermissionDenied):
        actions.dispatch(actor=w.dispatcher_gaobei, ticket=t, lead_department=w.scj)
    with pytest.raises(PermissionDenied):
        actions.dispatch(actor=w.handler_scj, ticket=t, lead_department=w.scj)
    with pytest.raises(ValidationError):
        actions.dispatch(actor=w.dispatcher, ticket=t, lead_department=None)
    actions.dispatch(actor=w.dispatcher, ticket=t, lead_department=w.scj)
    with pytest.raises(ValidationError) as exc:  # illegal transition
        actions.dispatch(actor=w.dispatcher, ticket=t, lead_department=w.zjj)
    assert exc.value.code == "transition_not_allowed"


def test_urgent_same_day_and_configurable_limits(world):
    w = world
    now = at(date(2025, 9, 30))
    with mock.patch("django.utils.timezone.now", return_value=now):
        t = dispatched(w, urgent=True)
    assert t.due_at == date(2025, 9, 30) and t.sign_due == date(2025, 9, 30)
    TimeLimit.objects.filter(type="help", urgent=False).update(days=5)
    with mock.patch("django.utils.timezone.now", return_value=now):
        t = dispatched(w, type="help", urgent=False)
    # Tue 30 Sept + 5 working days: 9 (Thu), 10, 11 (Sat, 调休), 13, 14 October.
    assert t.due_at == date(2025, 10, 14)


# --- handling ------------------------------------------------------------------------


def test_sign_reply_close_propagates(world):
    w = world
    t = dispatched(w)
    with pytest.raises(PermissionDenied):
        actions.sign_for(actor=w.handler_zjj, ticket=t)  # another department
    with pytest.raises(PermissionDenied):
        actions.sign_for(actor=w.handler_scj_gaobei, ticket=t)  # same department, other town
    with pytest.raises(ValidationError):
        actions.reply(actor=w.handler_scj, ticket=t, text="已处理")  # not signed yet
    t = actions.sign_for(actor=w.handler_scj, ticket=t)
    assert t.status == Status.SIGNED and t.handler == w.handler_scj
    with pytest.raises(ValidationError) as exc:
        actions.reply(actor=w.handler_scj, ticket=t, text="")
    assert "text" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.reply(actor=w.handler_scj, ticket=t, text="已处理", photos=[pdf_file()])
    assert "photos" in exc.value.message_dict
    t = actions.reply(actor=w.handler_scj, ticket=t, text="已责令停业整改", photos=[png_file()])
    assert t.status == Status.REPLIED and t.photos.filter(stage="reply").count() == 1
    with pytest.raises(PermissionDenied):
        actions.close(actor=w.handler_scj, ticket=t)
    t = actions.close(actor=w.dispatcher, ticket=t)
    assert t.status == Status.CLOSED and t.closed_at


def test_send_back(world):
    w = world
    t = actions.sign_for(actor=w.handler_scj, ticket=dispatched(w))
    t = actions.reply(actor=w.handler_scj, ticket=t, text="已处理")
    with pytest.raises(ValidationError):
        actions.send_back(actor=w.dispatcher, ticket=t, reason="")
    t = actions.send_back(actor=w.dispatcher, ticket=t, reason="答复过于简单，请说明处理结果")
    assert t.status == Status.SIGNED


def test_return_redispatch_and_reject(world):
    w = world
    t = dispatched(w)
    with pytest.raises(ValidationError):
        actions.return_ticket(actor=w.handler_scj, ticket=t, reason=" ")
    with pytest.raises(PermissionDenied):
        actions.return_ticket(actor=w.handler_zjj, ticket=t, reason="不归我们管")
    t = actions.return_ticket(actor=w.handler_scj, ticket=t, reason="属违章建筑，应由住建局办理")
    assert t.status == Status.RETURNED
    assert Message.objects.filter(recipient=w.dispatcher, title__icontains="退回").exists()
    with pytest.raises(ValidationError):  # back to the department that returned it
        actions.redispatch(actor=w.dispatcher, ticket=t, lead_department=w.scj)
    with pytest.raises(PermissionDenied):
        actions.redispatch(actor=w.dispatcher_gaobei, ticket=t, lead_department=w.zjj)
    t = actions.redispatch(actor=w.dispatcher, ticket=t, lead_department=w.zjj, note="改派住建局")
    assert t.status == Status.DISPATCHED and t.lead_department == w.zjj
    t = actions.return_ticket(actor=w.handler_zjj, ticket=t, reason="也不是我们的")
    t = actions.reject_return(actor=w.dispatcher, ticket=t, reason="派单目录规定由住建局主办")
    assert t.status == Status.DISPATCHED and t.lead_department == w.zjj
    with pytest.raises(ValidationError):
        actions.reject_return(actor=w.dispatcher, ticket=t, reason="再次")


def test_extension_before_and_after_deadline(world):
    w = world
    with mock.patch("django.utils.timezone.now", return_value=at(date(2025, 9, 22))):
        t = dispatched(w)
        with pytest.raises(ValidationError):
            actions.request_extension(actor=w.handler_scj, ticket=t, days=0, reason="需检测")
        with pytest.raises(PermissionDenied):
            actions.request_extension(actor=w.handler_zjj, ticket=t, days=3, reason="需检测")
        req = actions.request_extension(actor=w.handler_scj, ticket=t, days=3, reason="需送检")
        with pytest.raises(ValidationError) as exc:
            actions.request_extension(actor=w.handler_scj, ticket=t, days=3, reason="又一次")
        assert exc.value.code == "extension_pending"
        with pytest.raises(PermissionDenied):
            actions.decide_extension(actor=w.handler_scj, request=req, approve=True)
        with pytest.raises(ValidationError):  # refusing needs a reason
            actions.decide_extension(actor=w.dispatcher, request=req, approve=False)
        req = actions.decide_extension(actor=w.dispatcher, request=req, approve=True)
    t.refresh_from_db()
    assert (
        req.approved and t.due_at == date(2025, 10, 20) and req.previous_due == date(2025, 10, 15)
    )
    with pytest.raises(ValidationError):
        actions.decide_extension(actor=w.dispatcher, request=req, approve=False, note="x")
    with (
        mock.patch("django.utils.timezone.now", return_value=at(date(2025, 10, 21))),
        pytest.raises(ValidationError) as exc,
    ):
        actions.request_extension(actor=w.handler_scj, ticket=t, days=2, reason="太忙")
    assert exc.value.code == "extension_after_deadline"
    assert ExtensionRequest.objects.count() == 1


# --- call-back ----------------------------------------------------------------------------


def closed_ticket(w):
    t = actions.sign_for(actor=w.handler_scj, ticket=dispatched(w))
    t = actions.reply(actor=w.handler_scj, ticket=t, text="已处理")
    return actions.close(actor=w.dispatcher, ticket=t)


def test_callback_reopens_once(world):
    w = world
    t = closed_ticket(w)
    with pytest.raises(ValidationError):
        actions.record_callback(actor=w.agent, ticket=t, satisfaction="great")
    with pytest.raises(PermissionDenied):
        actions.record_callback(actor=w.agent_gaobei, ticket=t, satisfaction="satisfied")
    t = actions.record_callback(actor=w.agent, ticket=t, satisfaction="dissatisfied", note="没人来")
    assert t.status == Status.REOPENED and t.reopened_count == 1 and t.due_at
    assert Message.objects.filter(recipient=w.handler_scj, title__icontains="重办").exists()
    t = actions.sign_for(actor=w.handler_scj, ticket=t)
    t = actions.reply(actor=w.handler_scj, ticket=t, text="已再次现场处理")
    t = actions.close(actor=w.dispatcher, ticket=t)
    t = actions.record_callback(actor=w.agent, ticket=t, satisfaction="dissatisfied")
    assert t.status == Status.CLOSED and t.satisfaction == Satisfaction.DISSATISFIED
    assert t.reopened_count == 1
    with pytest.raises(ValidationError) as exc:
        actions.record_callback(actor=w.agent, ticket=t, satisfaction="satisfied")
    assert exc.value.code == "already_called_back"


def test_callback_satisfied(world):
    t = actions.record_callback(
        actor=world.agent, ticket=closed_ticket(world), satisfaction="basic"
    )
    assert t.status == Status.CLOSED and t.callback_at and t.satisfaction == "basic"


# --- duplicates and merge ------------------------------------------------------------------


def test_duplicates_proposed_and_merge_propagates(world):
    w = world
    first = register(w).ticket
    second = register(
        w, content="城东市场熟食店的卤肉变质了，吃了拉肚子", caller_phone="13700000000"
    )
    assert [d.pk for d in second.duplicates] == [first.pk]
    unrelated = register(w, content="高陂镇自来水停水三天了", category=w.price, region=w.gaobei)
    assert unrelated.duplicates == []
    by_text = actions.find_duplicates(text="熟食店卤肉变质拉肚子", category=w.food, town=w.huliao)
    assert {d.pk for d in by_text} == {first.pk, second.ticket.pk}

    dup = second.ticket
    with pytest.raises(PermissionDenied):
        actions.merge(actor=w.dispatcher_gaobei, ticket=dup, into=first)
    with pytest.raises(ValidationError):
        actions.merge(actor=w.dispatcher, ticket=dup, into=dup)
    dup = actions.merge(actor=w.dispatcher, ticket=dup, into=first)
    assert dup.status == Status.MERGED and dup.merged_into == first
    with pytest.raises(ValidationError):  # a merged ticket cannot be merged again
        actions.merge(actor=w.dispatcher, ticket=dup, into=first)
    # Merged tickets are not proposed again.
    assert actions.find_duplicates(first) == []

    t = actions.dispatch(actor=w.dispatcher, ticket=first, lead_department=w.scj)
    t = actions.sign_for(actor=w.handler_scj, ticket=t)
    t = actions.reply(actor=w.handler_scj, ticket=t, text="已查封变质卤肉")
    dup.refresh_from_db()
    assert dup.reply == "已查封变质卤肉" and dup.status == Status.MERGED
    actions.close(actor=w.dispatcher, ticket=t)
    dup.refresh_from_db()
    assert dup.status == Status.CLOSED and dup.lead_department == w.scj
    # Each caller is called back; the duplicate's caller can reopen it.
    dup = actions.record_callback(actor=w.agent, ticket=dup, satisfaction="dissatisfied")
    assert dup.status == Status.REOPENED and dup.lead_department == w.scj


def test_duplicate_proposals_carry_the_stored_fields(world):
    w = world
    first = register(w).ticket
    proposed = register(w, content="城东市场熟食店的卤肉变质了，吃了拉肚子").duplicates
    assert [d.pk for d in proposed] == [first.pk]
    other, stored = proposed[0], Ticket.objects.get(pk=first.pk)
    assert other.content == stored.content and other.content != stored.tokens
    assert other.tokens == stored.tokens
    assert (other.number, other.category_id, other.status) == (
        stored.number,
        stored.category_id,
        stored.status,
    )
    assert (other.lat, other.lng, other.created_at) == (stored.lat, stored.lng, stored.created_at)


def test_duplicates_outside_window_ignored(world):
    w = world
    first = register(w).ticket
    Ticket.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=5))
    assert register(w).duplicates == []


# --- supervision ----------------------------------------------------------------------------


def test_supervision_notifies_once_and_escalates(world):
    w = world
    with mock.patch("django.utils.timezone.now", return_value=at(date(2025, 9, 22))):
        t = dispatched(w, type="help")  # 3 working days: due Thu 25 Sept
    assert t.due_at == date(2025, 9, 25)
    counts = actions.supervise_overdue(at(date(2025, 9, 25)))
    assert counts["supervised"] == 0 and counts["warning"] == 1
    counts = actions.supervise_overdue(at(date(2025, 9, 26)))
    assert counts["supervised"] == 1 and counts["escalated"] == 0
    t.refresh_from_db()
    assert t.deadline_status == "overdue" and t.supervised_at
    handler_msgs = Message.objects.filter(recipient=w.handler_scj, title__icontains="督办")
    assert handler_msgs.count() == 1
    assert Message.objects.filter(recipient=w.dispatcher, title__icontains="督办").count() == 1
    actions.supervise_overdue(at(date(2025, 9, 26), 18))
    assert handler_msgs.count() == 1  # once
    # 3 working days late (26, 28 Sept (调休), 29 Sept) → escalated to the leader, once.
    counts = actions.supervise_overdue(at(date(2025, 9, 30)))
    assert counts["escalated"] == 1
    actions.supervise_overdue(at(date(2025, 10, 9)))
    assert Message.objects.filter(recipient=w.leader).count() == 1
    t.refresh_from_db()
    assert t.escalated
    assert TicketEvent.objects.filter(ticket=t, action="supervise").count() == 1


def test_visible_tickets_scope(world):
    w = world
    t = dispatched(w)
    other = register(w, region=w.gaobei, lat=None, lng=None).ticket
    assert set(actions.visible_tickets(w.dispatcher)) == {t, other}
    assert set(actions.visible_tickets(w.dispatcher_gaobei)) == {other}
    assert set(actions.visible_tickets(w.handler_scj)) == {t}
    assert set(actions.visible_tickets(w.handler_zjj)) == set()
    t2 = dispatched(w, content="另一宗食品问题")
    t2.co_departments.add(w.zjj)
    assert set(actions.visible_tickets(w.handler_zjj)) == {t2}
    assert set(actions.visible_tickets(w.citizen)) == set()
