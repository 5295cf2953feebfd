"""The background job of a quality run, run by `yiwang worker` (inline in tests). The daily
schedule that queues runs is ``schedule_tasks`` (it calls the actions, which enqueue this)."""

from django_tasks import task

from . import runs


@task()
def run_quality(run_id: int) -> str:
    """Run quality run ``run_id`` (queued by ``actions.request_run`` or ``schedule_runs``)."""
    return runs.execute(run_id)
