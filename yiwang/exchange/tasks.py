"""Background jobs of the exchange, run by `yiwang worker`."""

from django_tasks import task

from . import actions


@task()
def write_checkpoint() -> dict:
    """Periodic signed checkpoint of the evidence partitions (``YIWANG_PERIODIC_TASKS``)."""
    return {"partitions": actions.write_checkpoint()}
