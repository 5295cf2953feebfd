"""Extensions (延期): the lead department asks for more working days before the deadline; a
dispatcher approves (the deadline moves) or refuses."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.workdays import calendar as workdays

from ..models import ExtensionRequest, Ticket
from ._common import (
    MAX_REASON_CHARS,
    clean_text,
    clip,
    department_name,
    notify_department,
    notify_dispatchers,
    raise_errors,
    transition,
)
from .access import ensure_dispatcher, ensure_handler
from .deadlines import refresh_deadline

MAX_EXTENSION_DAYS = 30


def _clean_days(days, errors: dict) -> int:
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        errors["days"] = [
            _("Ask for between 1 and %(max)d working days.") % {"max": MAX_EXTENSION_DAYS}
        ]
    return days


@transaction.atomic
def request_extension(
    *, actor, ticket: Ticket, days: int | str | None, reason: str
) -> ExtensionRequest:
    """延期申请: only before the deadline has passed, one pending request at a time.

    ``days`` may come straight from a form (a string); anything but 1–30 is refused."""
    errors: dict = {}
    reason = clean_text(reason, "reason", _("reason for the extension"), MAX_REASON_CHARS, errors)
    days_n = _clean_days(days, errors)
    raise_errors(errors)
    with transition(
        "request_extension",
        actor=actor,
        ticket=ticket,
        by=ensure_handler,
        note=reason,
        days=days_n,
    ) as change:
        ticket = change.ticket
        if ticket.due_at is None or workdays.today() > ticket.due_at:
            raise ValidationError(
                _(
                    "The deadline of ticket %(number)s (%(due)s) has passed; an extension must be "
                    "asked for before the deadline. Reply as soon as possible and explain the delay."
                )
                % {"number": ticket.number, "due": ticket.due_at},
                code="extension_after_deadline",
            )
        if ticket.extensions.filter(approved__isnull=True).exists():
            raise ValidationError(
                _("An extension request for this ticket is already waiting for a decision."),
                code="extension_pending",
            )
        request = ExtensionRequest.objects.create(
            ticket=ticket,
            requested_by=actor,
            days=days_n,
            reason=reason,
            previous_due=ticket.due_at,
        )
    notify_dispatchers(
        ticket,
        _("Extension requested"),
        _("%(dept)s asks for %(days)d more working days for ticket %(number)s.")
        % {"dept": department_name(ticket), "days": days_n, "number": ticket.number},
    )
    return request


@transaction.atomic
def decide_extension(
    *, actor, request: ExtensionRequest, approve: bool, note: str = ""
) -> ExtensionRequest:
    """The dispatcher approves (deadline moves by the working days asked) or refuses."""
    note = clip(note)
    if not approve and not note:
        raise ValidationError({"note": [_("Give the reason for refusing the extension.")]})
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    with transition(
        "decide_extension",
        actor=actor,
        ticket=request.ticket,
        by=ensure_dispatcher,
        note=note,
        approved=bool(approve),
        days=request.days,
    ) as change:
        if not request.pending:
            raise ValidationError(
                _("This extension request has already been decided."), code="already_decided"
            )
        ticket = change.ticket
        request.approved, request.decided_by, request.decided_at = bool(approve), actor, change.now
        request.decision_note = note
        if approve and ticket.due_at is not None:
            new_due = workdays.add_working_days(ticket.due_at, request.days)
            ticket.due_at, request.new_due = new_due.date, new_due.date
            ticket.due_provisional = ticket.due_provisional or new_due.provisional
            ticket.supervised_at = None
            refresh_deadline(ticket, change.now)
        request.save()
    notify_department(
        ticket,
        _("Extension approved") if approve else _("Extension refused"),
        _("Ticket %(number)s: deadline %(due)s.") % {"number": ticket.number, "due": ticket.due_at},
    )
    return request
