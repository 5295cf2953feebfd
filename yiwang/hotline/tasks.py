"""Background jobs of the 12345 hotline, run by `yiwang worker`."""

from django_tasks import task

from . import actions


@task()
def supervise_overdue() -> dict:
    """督办: refresh deadline states, remind once the day after a missed deadline, escalate."""
    return actions.supervise_overdue()
