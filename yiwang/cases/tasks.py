"""Background jobs of cases, run by `yiwang worker`."""

from django_tasks import task

from . import actions


@task()
def sweep_deadlines() -> dict:
    return actions.sweep_deadlines()


@task()
def recompute_provisional_deadlines() -> int:
    return actions.recompute_provisional()
