"""The periodic sweep of the sharing workflow (task ``datahub.sharing_tasks``): reminders
once per step, overdue marks, expiry of grants."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM
from yiwang.workdays import calendar as workdays

from ..sharing import rules
from ..sharing.models import (
    PENDING_STATUSES,
    Grant,
    GrantStatus,
    SharingRequest,
)
from ._sharing_steps import (
    _event,
    _lock,
    _tell,
    grant_summary,
    step_actors,
    summary,
)

# --- the sweep -----------------------------------------------------------------------------


def sweep_sharing(now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Remind the actors of a step once when it is close to its deadline, mark it overdue
    once (and tell them), and expire grants past their expiry."""
    now = now or timezone.now()
    counts = {"checked": 0, "reminded": 0, "overdue": 0, "expired": 0}
    with workdays.pinned():
        last = 0
        while True:
            ids = list(
                SharingRequest.objects.filter(status__in=PENDING_STATUSES, pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            last = ids[-1]
            for pk in ids:
                _sweep_request(pk, now, counts)
    for pk in Grant.objects.filter(status=GrantStatus.ACTIVE, expires_at__lte=now).values_list(
        "pk", flat=True
    ):
        _expire(pk, now, counts)
    return counts


@transaction.atomic
def _sweep_request(pk: int, now: datetime, counts: dict[str, int]) -> None:
    request = _lock(SharingRequest(pk=pk))
    if not request.pending:
        return
    counts["checked"] += 1
    status = rules.deadline_status(request.due_at, workdays.local_date(now))
    if status == "overdue" and request.overdue_at is None:
        before = summary(request)
        request.overdue_at = now
        request.reminded_at = request.reminded_at or now
        request.save(update_fields=["overdue_at", "reminded_at", "updated_at"])
        _event(request, SYSTEM, "overdue", now)
        record(
            actor=SYSTEM,
            action="datahub.request_overdue",
            obj=request,
            before=before,
            after=summary(request),
        )
        _tell(step_actors(request), _("Data sharing request overdue"), request)
        counts["overdue"] += 1
    elif status == "warning" and request.reminded_at is None:
        request.reminded_at = now
        request.save(update_fields=["reminded_at", "updated_at"])
        record(actor=SYSTEM, action="datahub.request_remind", obj=request, after=summary(request))
        _tell(step_actors(request), _("Data sharing request due soon"), request)
        counts["reminded"] += 1


@transaction.atomic
def _expire(pk: int, now: datetime, counts: dict[str, int]) -> None:
    grant = Grant.objects.select_for_update().get(pk=pk)
    if grant.status != GrantStatus.ACTIVE or grant.expires_at > now:
        return
    before = grant_summary(grant)
    grant.status = GrantStatus.EXPIRED
    grant.expired_at = now
    grant.save(update_fields=["status", "expired_at"])
    record(
        actor=SYSTEM,
        action="datahub.grant_expire",
        obj=grant,
        before=before,
        after=grant_summary(grant),
    )
    counts["expired"] += 1
