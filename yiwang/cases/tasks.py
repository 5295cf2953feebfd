"""Background jobs of cases, run by `yiwang worker`."""

from django_tasks import task

from . import actions, pending


@task()
def sweep_deadlines() -> dict:
    """The deadline sweep; also purges files kept for forms that were abandoned."""
    counts = actions.sweep_deadlines()
    counts["pending_uploads_purged"] = pending.purge_stale()
    return counts


@task()
def recompute_provisional_deadlines() -> int:
    return actions.recompute_provisional()
