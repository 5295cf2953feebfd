"""The worker's sweeps over open cases: deadline status, escalation of overdue cases, and
deadlines recomputed once the holiday calendar they were provisional on arrives."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM
from yiwang.notify.actions import notify
from yiwang.orgs.models import Post, Role
from yiwang.workdays import calendar as workdays

from ..deadlines import DEADLINE_FIELDS, refresh_deadlines
from ..models import OPEN_STATUSES, Case, DeadlineStatus, Status
from ._common import add_event, snapshot

#: The statuses whose deadlines run (or are paused) and are swept.
_SWEPT_STATUSES = (Status.SUBMITTED, Status.IN_PROGRESS, Status.CORRECTION, Status.SPECIAL)


def recompute_provisional(now: datetime | None = None) -> int:
    """After the holiday calendar changes, recompute deadlines that were provisional."""
    now = now or timezone.now()
    count = 0
    with workdays.pinned():
        for pk in Case.objects.filter(due_provisional=True, status__in=OPEN_STATUSES).values_list(
            "pk", flat=True
        ):
            with transaction.atomic():
                case = Case.objects.select_for_update().select_related("process").get(pk=pk)
                before = snapshot(case)
                refresh_deadlines(case, now)
                case.save(update_fields=DEADLINE_FIELDS)
                record(
                    actor=SYSTEM,
                    action="cases.recompute_deadline",
                    obj=case,
                    before=before,
                    after=snapshot(case),
                )
                count += 1
    return count


def sweep_deadlines(now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Recompute deadline status of open cases; escalate newly overdue ones once."""
    with workdays.pinned():
        return _sweep(now or timezone.now(), batch)


def _sweep(now: datetime, batch: int) -> dict[str, int]:
    counts = {"checked": 0, "warning": 0, "overdue": 0, "escalated": 0}
    last = 0
    while True:
        # Keyset batches: cases that change status meanwhile neither stall nor repeat the sweep.
        ids = list(
            Case.objects.filter(status__in=_SWEPT_STATUSES, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        last = ids[-1]
        for pk in ids:
            _sweep_case(pk, now, counts)
    return counts


@transaction.atomic
def _sweep_case(pk: int, now: datetime, counts: dict[str, int]) -> None:
    """Refresh one case's deadline status under its row lock; escalate it when newly overdue."""
    case = (
        Case.objects.select_for_update()
        .select_related("process", "department", "region")
        .get(pk=pk)
    )
    old = case.deadline_status
    refresh_deadlines(case, now)
    counts["checked"] += 1
    if case.deadline_status == DeadlineStatus.WARNING:
        counts["warning"] += 1
    if case.deadline_status == DeadlineStatus.OVERDUE:
        counts["overdue"] += 1
    changed = case.deadline_status != old
    if case.deadline_status == DeadlineStatus.OVERDUE and case.escalated_at is None:
        _escalate(case, now)
        changed = True
        counts["escalated"] += 1
    if changed:
        case.save(update_fields=[*DEADLINE_FIELDS, "escalated_at"])


def _escalate(case: Case, now: datetime) -> None:
    """Once per case: tell the approvers and administrators of its department whose region
    covers it that it is overdue."""
    case.escalated_at = now
    add_event(
        case,
        None,
        "escalate",
        note=_("Overdue: escalated to the department's approvers"),
        public=False,
    )
    record(actor=SYSTEM, action="cases.escalate", obj=case, after=snapshot(case))
    posts = Post.objects.filter(
        active=True,
        department=case.department,
        role__in=[Role.APPROVER, Role.DEPT_ADMIN],
    ).select_related("user", "region")
    for post in posts:
        if post.region.contains(case.region):
            notify(
                user=post.user,
                title=_("Overdue case"),
                body=_("Case %(number)s (%(item)s) is overdue.")
                % {"number": case.number, "item": case.item.name},
                link=f"/cases/{case.pk}/",
            )
