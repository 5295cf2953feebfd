"""The caller's number: purpose-bound reveal for call-backs, and the SMS on closure."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from yiwang.hotline import actions
from yiwang.hotline.models import Satisfaction, Ticket
from yiwang.privacy.models import Disclosure

from .conftest import HULIAO_POINT

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
CALLBACK = {"purpose": "callback", "reason": "回访来电人满意度"}
CONTACT = {"purpose": "contact", "reason": "联系来电人确认具体摊位"}


def register(w, **kw):
    args = {
        "actor": w.agent,
        "channel": "phone",
        "type": "complaint",
        "category": w.food,
        "content": "城东市场一家熟食店卖的卤肉变质，吃了拉肚子",
        "caller_name": "王五",
        "caller_phone": PHONE,
        "address": "湖寮镇城东市场",
        "lat": HULIAO_POINT[0],
        "lng": HULIAO_POINT[1],
        "region": w.chengdong,
    }
    args.update(kw)
    return actions.register_ticket(**args).ticket


def dispatched(w, **kw):
    ticket = register(w, **kw)
    return actions.dispatch(actor=w.dispatcher, ticket=ticket, lead_department=w.scj)


def replied(w, **kw):
    t = actions.sign_for(actor=w.handler_scj, ticket=dispatched(w, **kw))
    return actions.reply(actor=w.handler_scj, ticket=t, text="已责令停业整改")


def reveal(actor, ticket, **why):
    return actions.reveal_caller_phone(actor=actor, ticket=ticket, **(why or CALLBACK))


def test_agent_and_dispatcher_reveal_for_callback(world):
    w = world
    t = actions.close(actor=w.dispatcher, ticket=replied(w))
    assert reveal(w.agent, t) == PHONE
    assert reveal(w.dispatcher, t, **CONTACT) == PHONE
    row = Disclosure.objects.get(actor=w.agent)
    assert (row.object_label, row.object_url, row.field, row.purpose) == (
        t.number,
        f"/hotline/{t.pk}/",
        "phone",
        "callback",
    )
    assert row.subject_phone_index and row.subject_label == "王*"


def test_lead_department_handler_reveals_while_working(world):
    w = world
    t = dispatched(w)
    assert reveal(w.handler_scj, t, **CONTACT) == PHONE
    assert Disclosure.objects.get().department_id == w.scj.pk
    with pytest.raises(ValidationError) as info:  # handlers only contact, they do not call back
        reveal(w.handler_scj, t, **CALLBACK)
    assert info.value.error_dict["purpose"][0].code == "invalid_purpose"
    t = actions.close(
        actor=w.dispatcher,
        ticket=actions.reply(
            actor=w.handler_scj, ticket=actions.sign_for(actor=w.handler_scj, ticket=t), text="好"
        ),
    )
    with pytest.raises(ValidationError) as info:
        reveal(w.handler_scj, t, **CONTACT)
    assert info.value.code == "ticket_closed"


def test_other_departments_towns_and_roles_denied(world):
    w = world
    t = dispatched(w)
    for actor in (w.handler_zjj, w.handler_scj_gaobei, w.handler_huliao, w.leader, w.agent_gaobei):
        with pytest.raises(PermissionDenied):
            reveal(actor, t, **CONTACT)
    assert not Disclosure.objects.exists()


def test_anonymous_caller_hidden_from_the_department_not_from_the_centre(world):
    w = world
    t = dispatched(w, caller_name="", anonymous=True)
    with pytest.raises(PermissionDenied):
        reveal(w.handler_scj, t, **CONTACT)
    assert reveal(w.agent, t, **CONTACT) == PHONE
    assert not actions.may_reveal_caller(w.handler_scj, t)
    assert actions.may_reveal_caller(w.agent, t)


def test_reason_required_and_closed_long_ago_refused(world):
    w = world
    t = actions.close(actor=w.dispatcher, ticket=replied(w))
    with pytest.raises(ValidationError) as info:
        reveal(w.agent, t, purpose="callback", reason="")
    assert info.value.error_dict["reason"][0].code == "reason_required"
    t = actions.record_callback(actor=w.agent, ticket=t, satisfaction=Satisfaction.SATISFIED)
    Ticket.objects.filter(pk=t.pk).update(closed_at=timezone.now() - timedelta(days=8))
    with pytest.raises(ValidationError) as info:
        reveal(w.agent, t)
    assert info.value.code == "ticket_closed"
    assert not Disclosure.objects.exists()


def test_ticket_page_reveal(client, world):
    w = world
    t = dispatched(w)
    url = reverse("hotline:reveal_phone", args=[t.pk])
    client.force_login(w.handler_scj)
    page = client.get(reverse("hotline:detail", args=[t.pk])).content.decode()
    assert url in page and PHONE not in page
    assert 'value="callback"' not in page  # handlers are offered "contact" only
    response = client.post(url, CONTACT)
    assert response.status_code == 200 and PHONE in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert PHONE not in client.get(reverse("hotline:detail", args=[t.pk])).content.decode()
    response = client.post(url, {"purpose": "contact", "reason": ""}, follow=True)
    assert PHONE not in response.content.decode()
    client.force_login(w.handler_zjj)  # not the lead department (does not see the ticket)
    assert client.post(url, CONTACT).status_code == 404
    client.force_login(w.leader)  # sees the ticket, may not reveal
    assert client.post(url, CONTACT).status_code == 403
    assert Disclosure.objects.count() == 1


def sms_lines(settings) -> list[str]:
    path = Path(settings.YIWANG_SMS_LOG)
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_closure_texts_phone_only_callers(
    world, settings, tmp_path, django_capture_on_commit_callbacks
):
    w = world
    settings.YIWANG_SMS_LOG = str(tmp_path / "sms.log")
    phone_only = replied(w)
    with django_capture_on_commit_callbacks(execute=True):
        actions.close(actor=w.dispatcher, ticket=phone_only)
    lines = sms_lines(settings)
    assert len(lines) == 1
    assert PHONE in lines[0] and phone_only.number in lines[0]


def test_closure_texts_merged_callers_but_not_account_holders(
    world, settings, tmp_path, django_capture_on_commit_callbacks
):
    w = world
    settings.YIWANG_SMS_LOG = str(tmp_path / "sms.log")
    web = actions.register_ticket(
        actor=w.citizen,
        channel="web",
        type="complaint",
        category=w.food,
        content="城东市场熟食店卤肉变质",
        region=w.chengdong,
    ).ticket
    assert web.citizen_id and web.caller_phone  # the account's phone is on the ticket
    web = actions.dispatch(actor=w.dispatcher, ticket=web, lead_department=w.scj)
    dup = register(w, caller_phone="13700000000", content="城东市场熟食店卤肉变质了")
    actions.merge(actor=w.dispatcher, ticket=dup, into=web)
    no_phone = register(w, caller_phone="", content="高陂镇自来水停水三天了")
    t = actions.sign_for(actor=w.handler_scj, ticket=web)
    t = actions.reply(actor=w.handler_scj, ticket=t, text="已处理")
    with django_capture_on_commit_callbacks(execute=True):
        actions.close(actor=w.dispatcher, ticket=t)
    lines = sms_lines(settings)
    assert len(lines) == 1 and "13700000000" in lines[0] and dup.number in lines[0]
    assert no_phone.caller_phone == ""
