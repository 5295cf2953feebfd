"""The worker's heartbeat and its periodic housekeeping.

`yiwang worker` starts a ``Housekeeping`` thread next to the task loop. It writes this
process's heartbeat row every ``YIWANG_WORKER_HEARTBEAT_SECONDS`` (the row `/healthz`
reads from any web process) and every ``RECOVERY_EVERY`` seconds runs the stuck-task
recovery directly, not through the queue: a worker busy with a hung task must still be
able to notice it.

Heartbeats are operational telemetry, like sessions: they are written here, not through an
action, and are not audited (one audit entry every five seconds would drown the chain).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string

from .actions import SYSTEM, recover_stuck_tasks
from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

RECOVERY_EVERY = 30.0  # seconds between stuck-task recovery passes
FORGET_AFTER = timedelta(days=1)  # heartbeat rows of workers gone this long are deleted


def new_worker_id() -> str:
    """A worker id unique across hosts, readable in the task table (≤ 64 characters)."""
    host = socket.gethostname()[:40]
    return f"{host}-{os.getpid()}-{get_random_string(6)}"


def beat(worker_id: str, *, started_at: datetime, now: datetime | None = None) -> None:
    """Record that ``worker_id`` (this process) is alive now."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "beat_at": now,
        },
    )
    WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()


class Housekeeping(threading.Thread):
    """Heartbeat, then stuck-task recovery, on their own cadences, until ``stop`` is set."""

    def __init__(
        self,
        worker_id: str,
        stop: threading.Event,
        *,
        interval: float | None = None,
        recovery_every: float = RECOVERY_EVERY,
    ) -> None:
        super().__init__(name="yiwang-housekeeping", daemon=True)
        self.worker_id = worker_id
        self.stop = stop
        self.interval = interval or settings.YIWANG_WORKER_HEARTBEAT_SECONDS
        self.recovery_every = recovery_every
        self.started_at = timezone.now()

    def run(self) -> None:
        next_recovery = 0.0
        elapsed = 0.0
        while not self.stop.is_set():
            self.tick(recover=elapsed >= next_recovery)
            if elapsed >= next_recovery:
                next_recovery = elapsed + self.recovery_every
            self.stop.wait(self.interval)
            elapsed += self.interval

    def tick(self, *, recover: bool) -> None:
        """One round; database errors are logged and retried next round, never fatal."""
        try:
            beat(self.worker_id, started_at=self.started_at)
            if recover:
                recover_stuck_tasks(actor=SYSTEM)
        except DatabaseError:
            logger.exception("worker housekeeping failed; retrying in %s s", self.interval)
        finally:
            close_old_connections()
