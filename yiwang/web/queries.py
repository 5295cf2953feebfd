"""Read-side helpers of web: how the worker and the task queue are doing.

`/healthz` reads are cheap enough for a load balancer's probe every few seconds: the newest
heartbeat by its index, and one aggregate over the READY rows that django-tasks-db keeps
in its own (partial on PostgreSQL) status index.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from .models import RecoveryReason, WorkerHeartbeat

ALIVE, STALE, ABSENT, NOT_USED = "alive", "stale", "absent", "not_used"


def queue_in_database() -> bool:
    """Whether tasks wait for a worker (the database queue) or run inline (tests, demos)."""
    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def _age(since: datetime, now: datetime) -> float:
    return round(max(0.0, (now - since).total_seconds()), 1)


def worker_health(now: datetime | None = None) -> dict:
    """The newest heartbeat of any worker: ``state`` alive / stale / absent / not_used."""
    if not queue_in_database():
        return {"state": NOT_USED}
    now = now or timezone.now()
    latest = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    if latest is None:
        return {"state": ABSENT, "last_heartbeat_seconds": None}
    age = _age(latest, now)
    state = ALIVE if age <= settings.YIWANG_WORKER_STALE_SECONDS else STALE
    return {"state": state, "last_heartbeat_seconds": age}


def queue_health(now: datetime | None = None) -> dict:
    """Tasks ready to run and how long the oldest has been waiting (seconds).

    A deferred task waits from its ``run_after``, not from when it was enqueued.
    """
    now = now or timezone.now()
    never = get_date_max()
    stats = (
        DBTaskResult.objects.ready()
        .order_by()
        .aggregate(
            ready=Count("id"),
            oldest_plain=Min("enqueued_at", filter=Q(run_after=never)),
            oldest_deferred=Min("run_after", filter=~Q(run_after=never)),
        )
    )
    waiting = [t for t in (stats["oldest_plain"], stats["oldest_deferred"]) if t is not None]
    return {
        "ready": stats["ready"],
        "oldest_ready_seconds": _age(min(waiting), now) if waiting else None,
    }


def stuck_tasks(now: datetime | None = None, *, limit: int = 200) -> list[dict]:
    """RUNNING tasks whose worker stopped beating, or that started too long ago.

    Each item: ``id``, ``task_path``, ``started_at``, ``reason`` (a ``RecoveryReason``).
    A task whose worker never wrote a heartbeat (a bare ``db_worker``) is judged by the
    timeout alone.
    """
    now = now or timezone.now()
    running = list(
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        .order_by("started_at")
        .values("id", "task_path", "worker_ids", "started_at")[:limit]
    )
    if not running:
        return []
    last_worker = {row["id"]: (row["worker_ids"] or [None])[-1] for row in running}
    beats = dict(
        WorkerHeartbeat.objects.filter(
            worker_id__in={w for w in last_worker.values() if w}
        ).values_list("worker_id", "beat_at")
    )
    stale_before = now - timedelta(seconds=settings.YIWANG_WORKER_STALE_SECONDS)
    timeout_before = now - timedelta(seconds=settings.YIWANG_TASK_TIMEOUT_SECONDS)
    stuck = []
    for row in running:
        beat_at = beats.get(last_worker[row["id"]])
        if beat_at is not None and beat_at < stale_before:
            reason = RecoveryReason.WORKER_LOST
        elif row["started_at"] is None or row["started_at"] < timeout_before:
            reason = RecoveryReason.TIMEOUT
        else:
            continue
        stuck.append(
            {
                "id": row["id"],
                "task_path": row["task_path"],
                "started_at": row["started_at"],
                "reason": reason,
            }
        )
    return stuck
