"""The one state-transition helper (``actions._common.transition``): every workflow step of a
ticket locks it, checks who and when, and writes the version, one timeline step and one audit
entry with the snapshots; a refused step writes none of them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from yiwang.audit.models import AuditEntry
from yiwang.hotline import actions, rules
from yiwang.hotline.models import Satisfaction, Status, Ticket, TicketEvent

from .conftest import PASSWORD
from .test_actions import register


def trail(ticket: Ticket) -> tuple[list, list]:
    """The ticket's timeline steps and audit actions, oldest first."""
    events = list(
        TicketEvent.objects.filter(ticket=ticket)
        .order_by("at", "id")
        .values_list("action", "from_status", "to_status")
    )
    audits = list(
        AuditEntry.objects.filter(object_type__endswith="ticket", object_id=str(ticket.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    return events, audits


def test_every_rule_names_its_timeline_step():
    assert set(rules.EVENTS) == set(rules.ALLOWED)
    assert set(rules.ACTION_NAMES) == set(rules.ALLOWED)


def test_each_step_bumps_the_version_and_writes_one_step_and_one_audit_entry(world):
    w = world
    ticket = register(w).ticket
    steps = [
        lambda t: actions.dispatch(actor=w.dispatcher, ticket=t, lead_department=w.scj),
        lambda t: actions.sign_for(actor=w.handler_scj, ticket=t),
        lambda t: actions.reply(actor=w.handler_scj, ticket=t, text="已处理"),
        lambda t: actions.send_back(actor=w.dispatcher, ticket=t, reason="未附照片"),
        lambda t: actions.reply(actor=w.handler_scj, ticket=t, text="已处理，附照片"),
        lambda t: actions.close(actor=w.dispatcher, ticket=t),
    ]
    for step in steps:
        version = Ticket.objects.get(pk=ticket.pk).version
        ticket = step(ticket)
        assert Ticket.objects.get(pk=ticket.pk).version == version + 1
    events, audits = trail(ticket)
    assert events == [
        ("register", "", "new"),
        ("dispatch", "new", "dispatched"),
        ("sign", "dispatched", "signed"),
        ("reply", "signed", "replied"),
        ("send_back", "replied", "signed"),
        ("reply", "signed", "replied"),
        ("close", "replied", "closed"),
    ]
    assert audits == [
        "hotline.register",
        "hotline.dispatch",
        "hotline.sign",
        "hotline.reply",
        "hotline.send_back",
        "hotline.reply",
        "hotline.close",
    ]
    entry = AuditEntry.objects.filter(action="hotline.send_back").get()
    assert entry.summary["before"]["status"] == "replied"
    assert entry.summary["after"]["status"] == "signed"


def test_refused_steps_write_nothing(world):
    w = world
    ticket = actions.dispatch(actor=w.dispatcher, ticket=register(w).ticket, lead_department=w.scj)
    before = (Ticket.objects.get(pk=ticket.pk).version, trail(ticket))
    # Who: a handler of another department.
    with pytest.raises(PermissionDenied):
        actions.sign_for(actor=w.handler_zjj, ticket=ticket)
    # When: the state machine does not allow closing an unanswered ticket.
    with pytest.raises(ValidationError) as exc:
        actions.close(actor=w.dispatcher, ticket=ticket)
    assert exc.value.code == "transition_not_allowed"
    assert (Ticket.objects.get(pk=ticket.pk).version, trail(ticket)) == before
    # A check inside the step, on the locked row: one pending extension at a time.
    actions.request_extension(actor=w.handler_scj, ticket=ticket, days=2, reason="需现场复核")
    before = (Ticket.objects.get(pk=ticket.pk).version, trail(ticket))
    with pytest.raises(ValidationError) as exc:
        actions.request_extension(actor=w.handler_scj, ticket=ticket, days=1, reason="再延一天")
    assert exc.value.code == "extension_pending"
    assert (Ticket.objects.get(pk=ticket.pk).version, trail(ticket)) == before


def test_reopen_is_a_step_of_the_call_back_only(world, client):
    w = world
    ticket = register(w).ticket
    ticket = actions.dispatch(actor=w.dispatcher, ticket=ticket, lead_department=w.scj)
    ticket = actions.sign_for(actor=w.handler_scj, ticket=ticket)
    ticket = actions.reply(actor=w.handler_scj, ticket=ticket, text="已处理")
    ticket = actions.close(actor=w.dispatcher, ticket=ticket)
    # The detail page's action URL does not run the reopen on its own.
    client.login(username="dispatcher", password=PASSWORD)
    response = client.post(reverse("hotline:act", args=[ticket.pk, "reopen"]))
    assert response.status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED

    ticket = actions.record_callback(
        actor=w.agent, ticket=ticket, satisfaction=Satisfaction.DISSATISFIED, note="仍有异味"
    )
    assert ticket.status == Status.REOPENED and ticket.reopened_count == 1
    events, audits = trail(ticket)
    assert events[-2:] == [("callback", "closed", "closed"), ("reopen", "closed", "reopened")]
    assert audits[-2:] == ["hotline.callback", "hotline.reopen"]
    assert ticket.due_at is not None and ticket.deadline_status == "normal"
