"""Background job of data sharing, run periodically by `yiwang worker`
(``YIWANG_PERIODIC_TASKS``; idempotent: a second run finds nothing new to do)."""

from django_tasks import task

from .actions import sharing


@task()
def sweep_sharing() -> dict:
    """Reminders and overdue marks of pending requests; expiry of grants."""
    return sharing.sweep_sharing()
