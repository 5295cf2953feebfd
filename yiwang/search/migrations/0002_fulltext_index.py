"""Full-text index for SearchDocument.tokens, per database vendor.

SQLite: FTS5 table ``search_fts(tokens)`` plus triggers that keep it in sync.
PostgreSQL: GIN index over ``to_tsvector('simple', tokens)``.
Other databases: nothing (search falls back to LIKE). See search/backends.py.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from yiwang.search import backends

    backends.install(schema_editor.connection)


def backwards(apps, schema_editor):
    from yiwang.search import backends

    backends.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
