"""The caller's number: shown in full only by a purpose-bound, audited reveal (回访 or
联系来电人) to the staff who may use it now, and counted against the per-staff limits."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.orgs.models import Role
from yiwang.orgs.scope import covers
from yiwang.privacy.actions import disclosing, record_disclosure
from yiwang.privacy.models import Purpose

from ..models import OPEN_STATUSES, RUNNING_STATUSES, Status, Ticket
from ._common import link
from .access import is_handler_of

#: Agents and dispatchers may still call back this many days after a ticket closed (beyond
#: the call-back itself, which stays possible until it is recorded).
REVEAL_DAYS_AFTER_CLOSE = 7
AGENT_REVEAL_PURPOSES = (Purpose.CALLBACK, Purpose.CONTACT)
HANDLER_REVEAL_PURPOSES = (Purpose.CONTACT,)


def _caller_reveal_basis(actor, ticket: Ticket) -> str:
    """On which footing (``"agent"`` or ``"handler"``) ``actor`` may see the caller's number now.

    Agents and dispatchers of the ticket's region: while it is open, and after closing until
    the call-back is recorded and for ``REVEAL_DAYS_AFTER_CLOSE`` days. The lead department's
    handlers: while they work it (dispatched, signed, reopened), and never for an anonymous
    caller: anonymity means the handling department does not learn who called; the 12345
    centre calls back. Raises PermissionDenied or ValidationError (code ``ticket_closed``).
    """
    if ticket.status == Status.MERGED:
        raise ValidationError(
            _(
                "Ticket %(number)s was merged: contact the caller from the ticket it was merged into."
            )
            % {"number": ticket.number},
            code="ticket_merged",
        )
    if covers(actor, [Role.AGENT, Role.DISPATCHER], ticket.region):
        if ticket.status in OPEN_STATUSES:
            return "agent"
        recent = ticket.closed_at is not None and timezone.now() - ticket.closed_at <= timedelta(
            days=REVEAL_DAYS_AFTER_CLOSE
        )
        if ticket.status == Status.CLOSED and (ticket.callback_at is None or recent):
            return "agent"
        raise ValidationError(
            _(
                "Ticket %(number)s was closed and called back more than %(days)d days ago: "
                "the caller's number is no longer shown."
            )
            % {"number": ticket.number, "days": REVEAL_DAYS_AFTER_CLOSE},
            code="ticket_closed",
        )
    if ticket.lead_department_id and is_handler_of(actor, ticket):
        if ticket.anonymous:
            raise PermissionDenied(
                _(
                    "The caller of ticket %(number)s asked to stay anonymous: the handling "
                    "department does not see their number. Ask the 12345 centre to pass on "
                    "your questions."
                )
                % {"number": ticket.number}
            )
        if ticket.status in RUNNING_STATUSES:
            return "handler"
        raise ValidationError(
            _(
                "Ticket %(number)s is %(status)s: handlers see the caller's number only while "
                "they work on the ticket."
            )
            % {"number": ticket.number, "status": ticket.status_label},
            code="ticket_closed",
        )
    raise PermissionDenied(
        _(
            "Only 12345 agents and dispatchers of %(region)s and the lead department's handlers "
            "working on ticket %(number)s can see the caller's number."
        )
        % {"region": ticket.region.name, "number": ticket.number}
    )


def may_reveal_caller(actor, ticket: Ticket) -> bool:
    """Whether the ticket page offers the reveal of the caller's number (the action checks again)."""
    if not ticket.caller_phone:
        return False
    try:
        _caller_reveal_basis(actor, ticket)
    except (PermissionDenied, ValidationError):
        return False
    return True


def caller_reveal_purposes(actor, ticket: Ticket) -> tuple[str, ...]:
    """The purposes the reveal form offers ``actor`` on ``ticket``."""
    if covers(actor, [Role.AGENT, Role.DISPATCHER], ticket.region):
        return tuple(AGENT_REVEAL_PURPOSES)
    return tuple(HANDLER_REVEAL_PURPOSES)


@disclosing
def reveal_caller_phone(*, actor, ticket: Ticket, purpose: str, reason: str) -> str:
    """Show the caller's full number to call back (回访) or contact them (联系来电人); counted
    against the per-staff limit and recorded (privacy.record_disclosure) with the audit entry.
    The number is returned for one rendering only: never stored in the session or a cookie."""
    ticket = Ticket.objects.select_related("region", "lead_department", "citizen").get(pk=ticket.pk)
    basis = _caller_reveal_basis(actor, ticket)
    allowed = AGENT_REVEAL_PURPOSES if basis == "agent" else HANDLER_REVEAL_PURPOSES
    if purpose in Purpose.values and purpose not in allowed:
        text = _("On this ticket the caller's number is shown to you only for: %(purposes)s.")
        purposes = "、".join(str(Purpose(p).label) for p in allowed)
        raise ValidationError(
            {"purpose": [ValidationError(text % {"purposes": purposes}, code="invalid_purpose")]}
        )
    if not ticket.caller_phone:
        raise ValidationError(
            _("The caller of ticket %(number)s left no phone number.") % {"number": ticket.number},
            code="no_value",
        )
    record_disclosure(
        actor=actor,
        obj=ticket,
        field="phone",
        purpose=purpose,
        reason=reason,
        subject=ticket.citizen,
        subject_phone=ticket.caller_phone,
        subject_label="" if ticket.anonymous else ticket.caller_name,
        department=ticket.lead_department if basis == "handler" else None,
        object_label=ticket.number,
        object_url=link(ticket),
    )
    return ticket.caller_phone
