"""Background jobs of the audit trail, run by `yiwang worker`."""

from django_tasks import task

from . import actions


@task()
def write_checkpoint() -> dict:
    """Periodic signed checkpoint of the chain head (``YIWANG_PERIODIC_TASKS``)."""
    point = actions.write_checkpoint()
    return {"seq": point.seq, "count": point.count, "at": point.at}
