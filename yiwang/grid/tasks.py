"""Background jobs of grid governance, run by `yiwang worker`."""

from django_tasks import task

from . import actions


@task()
def sweep_deadlines() -> dict:
    return actions.sweep_deadlines()
