"""Handling by the lead department: signing for a ticket (签收), replying with photos (答复),
and returning a ticket that is not theirs (退单)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import CONTENT_MAX_CHARS, PhotoStage, Status, Ticket
from ._common import (
    MAX_REASON_CHARS,
    check_photos,
    clean_text,
    delete_files,
    department_name,
    notify_dispatchers,
    raise_errors,
    store_photos,
    transition,
)
from .access import ensure_handler


@transaction.atomic
def sign_for(*, actor, ticket: Ticket) -> Ticket:
    """签收 by a handler of the lead department."""
    with transition("sign_for", actor=actor, ticket=ticket, by=ensure_handler) as change:
        ticket = change.ticket
        ticket.status, ticket.handler, ticket.signed_at = Status.SIGNED, actor, change.now
    return ticket


@transaction.atomic
def reply(*, actor, ticket: Ticket, text: str, photos: Sequence = ()) -> Ticket:
    """答复: the lead department's reply, with photos; the dispatcher then reviews it."""
    errors: dict = {}
    text = clean_text(text, "text", _("reply"), CONTENT_MAX_CHARS, errors)
    checked = check_photos(photos, "photos", errors)
    raise_errors(errors)
    saved: list[str] = []
    try:
        with transition(
            "reply", actor=actor, ticket=ticket, by=ensure_handler, note=text
        ) as change:
            ticket = change.ticket
            ticket.status, ticket.reply, ticket.replied_by = Status.REPLIED, text, actor
            ticket.replied_at = change.now
            saved = store_photos(ticket, checked, actor, PhotoStage.REPLY)
    except Exception:
        delete_files(saved)
        raise
    Ticket.objects.filter(merged_into=ticket).update(reply=text, replied_at=ticket.replied_at)
    notify_dispatchers(
        ticket,
        _("Reply to review"),
        _("%(dept)s replied to ticket %(number)s.")
        % {"dept": department_name(ticket), "number": ticket.number},
    )
    return ticket


@transaction.atomic
def return_ticket(*, actor, ticket: Ticket, reason: str) -> Ticket:
    """退单: the lead department says the ticket is not theirs; the dispatcher reviews it."""
    errors: dict = {}
    reason = clean_text(reason, "reason", _("reason for returning"), MAX_REASON_CHARS, errors)
    raise_errors(errors)
    with transition(
        "return_ticket", actor=actor, ticket=ticket, by=ensure_handler, note=reason
    ) as change:
        ticket = change.ticket
        ticket.status = Status.RETURNED
    notify_dispatchers(
        ticket,
        _("Ticket returned"),
        _("%(dept)s returned ticket %(number)s: %(reason)s")
        % {"dept": department_name(ticket), "number": ticket.number, "reason": reason},
    )
    return ticket
