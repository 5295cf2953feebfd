"""Operational state of the background worker, visible to every web process.

The cache is per process by default (local memory), so the worker's liveness and the
history of recovered tasks live in two small tables that `/healthz` and the recovery
pass read.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row per worker process, refreshed every few seconds while it runs."""

    worker_id = models.CharField(_("worker id"), max_length=64, unique=True)
    hostname = models.CharField(_("host name"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    beat_at = models.DateTimeField(_("last heartbeat"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class RecoveryReason(models.TextChoices):
    WORKER_LOST = "worker_lost", _("worker stopped")
    TIMEOUT = "timeout", _("ran too long")


class RecoveryOutcome(models.TextChoices):
    RETRIED = "retried", _("retried")
    FAILED = "failed", _("marked failed")


class TaskRecovery(models.Model):
    """A task found stuck in RUNNING, and what the recovery pass did with it.

    ``replacement_id`` is the re-enqueued copy of an idempotent task: when that copy gets
    stuck as well, it is failed instead of retried again (one retry only). The ids are
    plain UUIDs, not foreign keys: finished task rows may be pruned.
    """

    task_id = models.UUIDField(_("stuck task"), unique=True)
    task_path = models.TextField(_("task"))
    reason = models.CharField(_("reason"), max_length=20, choices=RecoveryReason.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=RecoveryOutcome.choices)
    replacement_id = models.UUIDField(_("retry"), null=True, blank=True, unique=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    recovered_at = models.DateTimeField(_("recovered at"), db_index=True)

    class Meta:
        ordering = ["-recovered_at"]
        verbose_name = _("recovered task")
        verbose_name_plural = _("recovered tasks")

    def __str__(self) -> str:
        return f"{self.task_path} ({self.outcome})"
