"""Supervision (督办) by the worker: deadline states kept current, a reminder the day after a
missed deadline, escalation to the leaders a few working days later."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM
from yiwang.orgs.models import Role
from yiwang.workdays import calendar as workdays

from ..models import RUNNING_STATUSES, EventAction, Ticket
from ._common import (
    add_event,
    department_name,
    link,
    notify_department,
    notify_dispatchers,
    notify_many,
    snapshot,
    users_with,
)
from .deadlines import refresh_deadline

#: Escalate (升级督办) tickets still open this many working days after their deadline.
ESCALATE_AFTER_WORKDAYS = 3


def supervise_overdue(now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """督办 (run by the worker): refresh deadline states; the day after a missed deadline
    notify the lead department's handlers and the dispatchers (once); escalate tickets
    still open ``ESCALATE_AFTER_WORKDAYS`` working days later to the leaders (once)."""
    now = now or timezone.now()
    counts = {"checked": 0, "warning": 0, "overdue": 0, "supervised": 0, "escalated": 0}
    with workdays.pinned():
        today = workdays.local_date(now)
        last = 0
        while True:
            ids = list(
                Ticket.objects.filter(
                    status__in=RUNNING_STATUSES, due_at__isnull=False, pk__gt=last
                )
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            last = ids[-1]
            for pk in ids:
                _supervise_one(pk, now, today, counts)
    return counts


@transaction.atomic
def _supervise_one(pk: int, now: datetime, today: date, counts: dict[str, int]) -> None:
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("region", "lead_department")
        .get(pk=pk)
    )
    if ticket.status not in RUNNING_STATUSES:
        return
    before = snapshot(ticket)
    old = (ticket.deadline_status, ticket.supervised_at, ticket.escalated)
    refresh_deadline(ticket, now)
    counts["checked"] += 1
    if ticket.deadline_status == workdays.DeadlineStatus.WARNING:
        counts["warning"] += 1
    if ticket.deadline_status == workdays.DeadlineStatus.OVERDUE and ticket.due_at is not None:
        counts["overdue"] += 1
        if ticket.supervised_at is None:
            _remind(ticket, now)
            counts["supervised"] += 1
        late = workdays.working_days_between(ticket.due_at, today)
        if not ticket.escalated and late >= ESCALATE_AFTER_WORKDAYS:
            _escalate(ticket, now, late, before)
            counts["escalated"] += 1
    if (ticket.deadline_status, ticket.supervised_at, ticket.escalated) != old:
        ticket.save(
            update_fields=[
                "deadline_status",
                "supervised_at",
                "escalated",
                "escalated_at",
                "updated_at",
            ]
        )


def _remind(ticket: Ticket, now: datetime) -> None:
    """督办, once: the lead department's handlers and the dispatchers hear of the missed deadline."""
    ticket.supervised_at = now
    title = _("Overdue ticket: supervision")
    body = _("Ticket %(number)s (%(dept)s) missed its deadline of %(due)s.") % {
        "number": ticket.number,
        "dept": department_name(ticket),
        "due": ticket.due_at,
    }
    notify_department(ticket, title, body)
    notify_dispatchers(ticket, title, body)
    add_event(ticket, None, EventAction.SUPERVISE, note=body, from_status=ticket.status)
    record(actor=SYSTEM, action="hotline.supervise", obj=ticket, after=snapshot(ticket))


def _escalate(ticket: Ticket, now: datetime, late: int, before: dict) -> None:
    """升级督办, once: the leaders covering the region hear of a ticket ``late`` working days
    overdue."""
    ticket.escalated, ticket.escalated_at = True, now
    body = _("Ticket %(number)s is %(days)d working days overdue.") % {
        "number": ticket.number,
        "days": late,
    }
    notify_many(
        users_with([Role.LEADER], ticket.region),
        _("Overdue ticket escalated"),
        body,
        link(ticket),
    )
    add_event(ticket, None, EventAction.ESCALATE, note=body, from_status=ticket.status)
    record(
        actor=SYSTEM,
        action="hotline.escalate",
        obj=ticket,
        before=before,
        after=snapshot(ticket),
    )
