"""Periodic job of ingestion, run by `yiwang worker` (``YIWANG_PERIODIC_TASKS``).

Idempotent: each source's next run moves on before its pull is queued, so a second sweep
finds nothing due.
"""

from django_tasks import task

from .actions import ingestion


@task()
def run_due_pulls() -> list[int]:
    """Queue the pulls that are due; returns the jobs queued."""
    return ingestion.run_due_pulls()
