"""The task of an ingestion job (``yiwang worker``; inline with the immediate backend)."""

from __future__ import annotations

from django_tasks import task

from .runner import run_job


@task()
def run_ingestion(job_id: int) -> str:
    """Load the rows of job ``job_id`` (an uploaded file or a pull)."""
    return run_job(job_id)
