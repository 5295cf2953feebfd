"""A ticket's deadlines: the time limits, counted in working days (``yiwang.workdays``).

``start_clock`` sets them when a department gets the ticket (dispatch, re-dispatch, reopen);
``refresh_deadline`` keeps ``deadline_status`` in step with the status and the calendar.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from yiwang.workdays import calendar as workdays

from ..models import DEFAULT_TIME_LIMITS, RUNNING_STATUSES, Status, Ticket, TicketType, TimeLimit


def time_limit(type_: str, urgent: bool) -> tuple[int, int]:
    """(working days to handle, to sign for) a ticket of ``type_``: the stored row, else the
    default (``config.effective_time_limits`` reads all pairs at once by the same rule)."""
    row = TimeLimit.objects.filter(type=type_, urgent=urgent).first()
    if row is not None:
        return row.days, row.sign_days
    return DEFAULT_TIME_LIMITS[(TicketType(type_), urgent)]


def start_clock(ticket: Ticket, now: datetime) -> None:
    """Set ``due_at`` and ``sign_due`` from the time limits, counted in working days."""
    days, sign_days = time_limit(ticket.type, ticket.urgent)
    due = workdays.due_date(now, days)
    sign = workdays.due_date(now, sign_days)
    ticket.due_at, ticket.sign_due = due.date, min(sign.date, due.date)
    ticket.due_provisional = due.provisional
    ticket.supervised_at = None
    ticket.escalated, ticket.escalated_at = False, None
    refresh_deadline(ticket, now)


def refresh_deadline(ticket: Ticket, now: datetime | None = None) -> None:
    """``deadline_status`` from ``due_at`` while the lead department's clock runs; normal once
    it stops (a reply awaiting review keeps the state it was replied in)."""
    now = now or timezone.now()
    if ticket.status in RUNNING_STATUSES and ticket.due_at:
        ticket.deadline_status = workdays.deadline_status(ticket.due_at, workdays.local_date(now))
    elif ticket.status not in (Status.REPLIED,):
        ticket.deadline_status = workdays.DeadlineStatus.NORMAL
