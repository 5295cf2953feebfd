"""Call-backs (回访): the agent records the caller's satisfaction with a closed ticket; the
first 不满意 reopens it to its lead department with a new deadline."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import CallBack, CallBackResult, Satisfaction, Status, Ticket
from ._common import clip, notify_department, transition, user_or_none
from .access import ensure_agent
from .deadlines import start_clock

RATINGS = (Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.DISSATISFIED)


@transaction.atomic
def record_callback(*, actor, ticket: Ticket, satisfaction: str, note: str = "") -> Ticket:
    """回访: the agent records the caller's satisfaction. The first 不满意 reopens the ticket
    to its lead department with a new deadline; a second one is only recorded."""
    if satisfaction not in RATINGS:
        raise ValidationError(
            {"satisfaction": [_("Choose satisfied, basically satisfied or dissatisfied.")]}
        )
    note = clip(note)
    with transition(
        "record_callback",
        actor=actor,
        ticket=ticket,
        by=ensure_agent,
        note=note,
        satisfaction=satisfaction,
    ) as change:
        ticket = change.ticket
        if ticket.callback_at is not None:
            raise ValidationError(
                _("Ticket %(number)s was already called back on %(at)s.")
                % {"number": ticket.number, "at": timezone.localtime(ticket.callback_at).date()},
                code="already_called_back",
            )
        ticket.satisfaction, ticket.callback_at, ticket.callback_by = (
            satisfaction,
            change.now,
            actor,
        )
        ticket.callback_note = note
        reopen = (
            satisfaction == Satisfaction.DISSATISFIED
            and ticket.reopened_count == 0
            and ticket.lead_department_id is not None
        )
        # The history the figures count: the ticket's own fields are cleared by the reopen.
        CallBack.objects.create(
            ticket=ticket,
            round=CallBack.objects.filter(ticket=ticket).count() + 1,
            satisfaction=satisfaction,
            result=CallBackResult.REOPENED if reopen else CallBackResult.KEPT_CLOSED,
            department_id=ticket.lead_department_id,
            actor=user_or_none(actor),
            at=change.now,
            note=note,
        )
    return _reopen(actor, ticket, note) if reopen else ticket


def _reopen(actor, ticket: Ticket, note: str) -> Ticket:
    """Back to the lead department to sign for and handle again, with a new deadline."""
    with transition("reopen", actor=actor, ticket=ticket, by=ensure_agent, note=note) as change:
        ticket = change.ticket
        ticket.status = Status.REOPENED
        ticket.reopened_count += 1
        ticket.callback_at, ticket.satisfaction = None, Satisfaction.NONE
        ticket.handler, ticket.signed_at, ticket.closed_at = None, None, None
        start_clock(ticket, change.now)
    notify_department(
        ticket,
        _("Ticket reopened"),
        _("The caller of ticket %(number)s is dissatisfied; handle it again by %(due)s.")
        % {"number": ticket.number, "due": ticket.due_at},
    )
    return ticket
