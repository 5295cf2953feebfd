"""An index on the task queue's RUNNING rows, for the stuck-task recovery pass.

django-tasks-db indexes only READY rows; without this, finding the few running tasks
would read the whole (ever-growing) results table every half minute. Partial on both
SQLite and PostgreSQL.
"""

from django.db import migrations

INDEX = "web_tasks_running_idx"
TABLE = "django_tasks_database_dbtaskresult"


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0001_worker_heartbeat_task_recovery"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} (started_at) WHERE status = 'RUNNING'",
            f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
