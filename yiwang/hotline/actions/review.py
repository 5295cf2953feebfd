"""The dispatcher's review of a reply: closing the ticket (办结, merged tickets close with it and
callers hear of it) or sending the reply back to the lead department."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.notify.actions import notify

from ..closure_sms import send_closure_sms
from ..models import Satisfaction, Status, Ticket
from ._common import (
    MAX_REASON_CHARS,
    clean_text,
    clip,
    log,
    notify_department,
    raise_errors,
    transition,
)
from .access import ensure_dispatcher


@transaction.atomic
def close(*, actor, ticket: Ticket, note: str = "") -> Ticket:
    """办结: the dispatcher accepts the reply; merged tickets close with it."""
    with transition(
        "close", actor=actor, ticket=ticket, by=ensure_dispatcher, note=clip(note)
    ) as change:
        ticket = change.ticket
        ticket.status, ticket.closed_at = Status.CLOSED, change.now
        ticket.callback_at, ticket.satisfaction = None, Satisfaction.NONE
    phone_only = list(
        Ticket.objects.filter(merged_into=ticket, status=Status.MERGED, citizen__isnull=True)
        .exclude(caller_phone_index="")
        .values_list("pk", flat=True)
    )
    if not ticket.citizen_id and ticket.caller_phone:
        phone_only.append(ticket.pk)
    _close_merged(ticket, change.now)
    _text_phone_only_callers(phone_only)
    if ticket.citizen_id:
        notify(
            user=ticket.citizen,
            title=_("Your 12345 request has been answered"),
            body=ticket.reply[:500],
            link=f"/hotline/mine/{ticket.pk}/",
        )
    return ticket


def _close_merged(ticket: Ticket, now: datetime) -> None:
    Ticket.objects.filter(merged_into=ticket, status=Status.MERGED).update(
        status=Status.CLOSED,
        closed_at=now,
        reply=ticket.reply,
        replied_at=ticket.replied_at,
        lead_department=ticket.lead_department,
        updated_at=now,
    )


def _text_phone_only_callers(ticket_ids: list[int]) -> None:
    """After commit, text callers without an account that their ticket is closed. Only ids go
    into the task queue; the task reads each number from the encrypted column."""
    if not ticket_ids:
        return

    def enqueue() -> None:
        for pk in ticket_ids:
            try:
                send_closure_sms.enqueue(pk)
            except Exception:
                log.exception("could not queue the closure SMS of ticket %s", pk)

    transaction.on_commit(enqueue)


@transaction.atomic
def send_back(*, actor, ticket: Ticket, reason: str) -> Ticket:
    """The dispatcher does not accept the reply: back to the lead department (still signed)."""
    errors: dict = {}
    reason = clean_text(reason, "reason", _("reason"), MAX_REASON_CHARS, errors)
    raise_errors(errors)
    with transition(
        "send_back", actor=actor, ticket=ticket, by=ensure_dispatcher, note=reason
    ) as change:
        ticket = change.ticket
        ticket.status = Status.SIGNED
    notify_department(
        ticket,
        _("Reply not accepted"),
        _("The reply to ticket %(number)s was sent back: %(reason)s")
        % {"number": ticket.number, "reason": reason},
    )
    return ticket
