from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

FULLTEXT_MIGRATION = ("search", "0002_fulltext_index")


def _ensure_fulltext_index(sender, using, **kwargs):
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from . import backends

    connection = connections[using]
    applied = {m for m in MigrationRecorder(connection).applied_migrations() if m[0] == "search"}
    # Respect a migration back below 0002; install when migrated past it, or
    # when the tables were made without migrations (pytest --no-migrations).
    if not applied or FULLTEXT_MIGRATION in applied:
        backends.install(connection)


class SearchConfig(AppConfig):
    name = "yiwang.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self):
        # Re-check the FTS5 table/triggers (SQLite) or GIN index (PostgreSQL)
        # after every migrate: see backends.py for why.
        post_migrate.connect(
            _ensure_fulltext_index, sender=self, dispatch_uid="search_ensure_fulltext_index"
        )
