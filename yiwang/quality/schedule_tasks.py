"""The daily quality runs, run periodically by `yiwang worker` (``YIWANG_PERIODIC_TASKS``;
idempotent: a resource run in the last ``actions.SCHEDULE_GAP`` is skipped)."""

from django_tasks import task

from yiwang.audit.actors import SYSTEM

from . import actions


@task()
def run_scheduled() -> int:
    """Queue a run of every catalogued resource with rules; returns how many."""
    return actions.schedule_runs(actor=SYSTEM)
