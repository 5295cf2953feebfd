"""The deadlines of a case: computing them, deciding when one is close, and naming them.

A case has up to three dates, each with its own meaning, and people must never mistake one
for another:

- 受理期限 (acceptance deadline): the accept step's limit, counted from submission; it matters
  only while the case waits to be accepted (``step_due`` at the accept step);
- 承诺办结 (promised completion): the item's promised limit, counted from acceptance (``due_at``
  once accepted);
- 法定办结 (statutory completion): the statutory limit, counted from acceptance
  (``statutory_due``).

``due_at`` is the next deadline the case must meet (the acceptance deadline, then the promised
date): the staff queue orders by it and ``deadline_status`` (正常/预警/超期) is about it. Every
date is counted in working days by :mod:`yiwang.workdays`, extended by the clock pauses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yiwang.workdays import calendar as workdays

from .models import Case, DeadlineStatus, Status

#: A deadline is close (预警) when at most this many working days of it remain: the
#: project's threshold, ``workdays.deadline_status``'s default.
WARN_WITHIN = 1

#: The fields :func:`refresh_deadlines` writes (for ``save(update_fields=...)``).
DEADLINE_FIELDS = (
    "deadline_status",
    "due_at",
    "statutory_due",
    "step_due",
    "due_provisional",
    "promised_provisional",
    "statutory_provisional",
    "step_provisional",
)

ACCEPTANCE, PROMISED, STATUTORY, STEP = "acceptance", "promised", "statutory", "step"
LABELS = {
    ACCEPTANCE: _("Acceptance deadline"),
    PROMISED: _("Promised completion"),
    STATUTORY: _("Statutory completion"),
    STEP: _("Current step due"),
}


def deadline_status(due: date, limit_days: int, today: date) -> str:
    """正常, 预警 or 超期 for a deadline of ``limit_days`` working days falling on ``due``.

    Overdue after the due day; a warning when at most :data:`WARN_WITHIN` working days remain —
    but not while the whole limit still remains: a one-day acceptance limit set today leaves
    one working day, which is the time it grants, not a deadline running out.
    """
    status = workdays.deadline_status(due, today, WARN_WITHIN)
    if status == DeadlineStatus.WARNING and workdays.working_days_between(today, due) >= limit_days:
        return DeadlineStatus.NORMAL
    return status


def _limit_of_due(case: Case, step: dict | None) -> int:
    """The limit in working days that ``due_at`` counts."""
    if case.accepted_at:
        return case.promised_days
    return int(step["limit_days"]) if step else 0


def refresh_deadlines(case: Case, now: datetime | None = None, pauses=None) -> None:
    """Recompute due dates and status from the working-day calendar and the pauses.

    ``pauses``: the case's (start, end) intervals when the caller knows them (a new case has none).
    """
    now = now or timezone.now()
    if pauses is None:
        pauses = [(p.started_at, p.ended_at) for p in case.pauses.all()]
    if case.accepted_at:
        promised = workdays.due_date(case.accepted_at, case.promised_days, pauses, now=now)
        statutory = workdays.due_date(case.accepted_at, case.statutory_days, pauses, now=now)
        case.due_at, case.statutory_due = promised.date, statutory.date
        case.promised_provisional = promised.provisional
        case.statutory_provisional = statutory.provisional
    step = case.step()
    if step and case.step_started_at:
        step_pauses = [(s, e) for s, e in pauses if e is None or e > case.step_started_at]
        step_due = workdays.due_date(case.step_started_at, step["limit_days"], step_pauses, now=now)
        case.step_due = step_due.date
        case.step_provisional = step_due.provisional
        if not case.accepted_at:
            case.due_at = step_due.date
    case.due_provisional = bool(
        (case.accepted_at and (case.promised_provisional or case.statutory_provisional))
        or (step and case.step_started_at and case.step_provisional)
    )
    if case.status in (Status.SUBMITTED, Status.IN_PROGRESS) and case.due_at:
        case.deadline_status = deadline_status(
            case.due_at, _limit_of_due(case, step), timezone.localdate(now)
        )
    elif case.status not in (Status.CORRECTION, Status.SPECIAL):
        case.deadline_status = DeadlineStatus.NORMAL


# --- display ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownDeadline:
    """One date as people see it: what it means, the date (``None`` while its clock has not
    started, with ``days`` counted from acceptance), whether it is provisional (暂定), and
    whether it is the case's next deadline (the one 正常/预警/超期 is about)."""

    kind: str
    label: Promise
    date: date | None
    days: int
    provisional: bool
    current: bool


def shown_deadlines(case: Case, *, as_staff: bool = False) -> list[ShownDeadline]:
    """The case's deadlines, each named by its meaning, in the order they fall due.

    Before acceptance: the acceptance deadline, then the promised and statutory limits in
    working days after acceptance (no dates yet). After: the promised and statutory dates; staff
    also see the current step's due date.
    """
    accepted = case.accepted_at is not None
    if not accepted and not case.is_open:
        return []  # never accepted (refused, withdrawn, a draft): no clock ever ran
    rows: list[ShownDeadline] = []
    if not accepted and case.status in (Status.SUBMITTED, Status.CORRECTION) and case.step_due:
        rows.append(
            ShownDeadline(
                ACCEPTANCE,
                LABELS[ACCEPTANCE],
                case.step_due,
                0,
                case.step_provisional,
                case.status == Status.SUBMITTED,
            )
        )
    open_case = case.status in (Status.SUBMITTED, Status.IN_PROGRESS)
    rows.append(
        ShownDeadline(
            PROMISED,
            LABELS[PROMISED],
            case.due_at if accepted else None,
            case.promised_days,
            accepted and case.promised_provisional,
            accepted and open_case,
        )
    )
    rows.append(
        ShownDeadline(
            STATUTORY,
            LABELS[STATUTORY],
            case.statutory_due if accepted else None,
            case.statutory_days,
            accepted and case.statutory_provisional,
            False,
        )
    )
    if as_staff and accepted and case.is_open and case.step_due:
        rows.append(
            ShownDeadline(STEP, LABELS[STEP], case.step_due, 0, case.step_provisional, False)
        )
    return rows


def next_deadline(case: Case) -> ShownDeadline | None:
    """The deadline a list shows for the case: the one it must meet next (or, once the case is
    closed, the promised date it had)."""
    rows = shown_deadlines(case)
    current = [row for row in rows if row.current]
    if current:
        return current[0]
    dated = [row for row in rows if row.date is not None and row.kind != STATUTORY]
    return dated[0] if dated else None
