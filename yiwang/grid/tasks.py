"""Background jobs of grid governance, run by `yiwang worker`."""

from django_tasks import task

from . import actions


@task()
def sweep_deadlines() -> int:
    """Refresh the deadline states of dispatched cases; returns how many changed."""
    return actions.sweep_deadlines()
