"""State changes of web: taking tasks that can no longer finish out of RUNNING.

A worker killed mid-task (out of memory, a deploy, a power cut) leaves its task RUNNING
for ever, and nothing would ever look at it again. The worker's housekeeping thread calls
``recover_stuck_tasks`` every half minute: a task declared idempotent
(``YIWANG_IDEMPOTENT_TASKS``: the periodic sweeps) is marked failed and enqueued again,
once; any other task is marked failed with an error that says why. Either way an ERROR
is logged (the operators' alert) and an audit entry is written by the system actor.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM, SystemActor

from .models import RecoveryOutcome, RecoveryReason, TaskRecovery
from .queries import stuck_tasks

logger = logging.getLogger(__name__)


class TaskTimedOut(Exception):
    """The error recorded on a task the recovery pass took out of RUNNING."""


def recover_stuck_tasks(
    *, actor: SystemActor = SYSTEM, now: datetime | None = None
) -> dict[str, int]:
    """Recover every stuck task; returns how many were retried and how many failed."""
    now = now or timezone.now()
    counts = {RecoveryOutcome.RETRIED.value: 0, RecoveryOutcome.FAILED.value: 0}
    for stuck in stuck_tasks(now):
        outcome = recover_task(actor=actor, task_id=stuck["id"], reason=stuck["reason"], now=now)
        if outcome:
            counts[outcome] += 1
    return counts


@transaction.atomic
def recover_task(
    *, actor: str, task_id, reason: RecoveryReason, now: datetime | None = None
) -> str | None:
    """Fail one stuck task, and enqueue it again when it is idempotent and not a retry already.

    Returns the outcome, or ``None`` when the task left RUNNING meanwhile (it finished, or
    another worker recovered it first).
    """
    now = now or timezone.now()
    row = (
        DBTaskResult.objects.select_for_update()
        .filter(pk=task_id, status=TaskResultStatus.RUNNING)
        .first()
    )
    if row is None:
        return None
    retry = _may_retry(row)
    replacement = None
    if retry:
        args = row.args_kwargs
        replacement = row.task.enqueue(*args.get("args", []), **args.get("kwargs", {}))
    outcome = RecoveryOutcome.RETRIED if replacement else RecoveryOutcome.FAILED
    message = _error_message(row, reason, now, replacement.id if replacement else None)
    row.status = TaskResultStatus.FAILED
    row.finished_at = now
    row.return_value = None
    row.exception_class_path = f"{TaskTimedOut.__module__}.{TaskTimedOut.__qualname__}"
    row.traceback = message
    row.save(
        update_fields=["status", "finished_at", "return_value", "exception_class_path", "traceback"]
    )
    TaskRecovery.objects.create(
        task_id=row.id,
        task_path=row.task_path,
        reason=reason,
        outcome=outcome,
        replacement_id=replacement.id if replacement else None,
        started_at=row.started_at,
        recovered_at=now,
    )
    record(
        actor=actor,
        action="web.recover_task",
        obj=row,
        before={"status": "RUNNING"},
        after={"status": "FAILED"},
        task=row.task_path,
        reason=str(reason),
        outcome=str(outcome),
        retry=str(replacement.id) if replacement else None,
    )
    transaction.on_commit(lambda: logger.error("stuck task recovered: %s", message))
    return outcome.value


def _may_retry(row: DBTaskResult) -> bool:
    if row.task_path not in settings.YIWANG_IDEMPOTENT_TASKS:
        return False
    if TaskRecovery.objects.filter(replacement_id=row.id).exists():
        return False  # this already is the retry
    try:
        row.task  # noqa: B018 - the task must still exist to be enqueued again
    except (ImportError, SuspiciousOperation):
        return False
    return True


def _error_message(row: DBTaskResult, reason: str, now: datetime, retry_id) -> str:
    ran = f"{(now - row.started_at).total_seconds():.0f} s" if row.started_at else "unknown time"
    if reason == RecoveryReason.WORKER_LOST:
        why = (
            f"its worker {(row.worker_ids or ['?'])[-1]} stopped sending heartbeats "
            f"(none for {settings.YIWANG_WORKER_STALE_SECONDS} s)"
        )
    else:
        why = f"it ran longer than the timeout of {settings.YIWANG_TASK_TIMEOUT_SECONDS} s"
    then = f"enqueued again as {retry_id}" if retry_id else "not retried"
    return (
        f"TaskTimedOut: task {row.id} ({row.task_path}) was recovered after a timeout: "
        f"RUNNING for {ran}, {why}; {then}."
    )
