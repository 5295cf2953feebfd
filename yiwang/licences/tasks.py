"""The expiry sweep, run periodically by `yiwang worker` (``YIWANG_PERIODIC_TASKS``;
idempotent: a licence already expired is left alone)."""

from django_tasks import task

from . import actions


@task()
def expire_due() -> int:
    """Mark the licences whose validity ended as expired (失效); returns how many."""
    return actions.expire_due()
