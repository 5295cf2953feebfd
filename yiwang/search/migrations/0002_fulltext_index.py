"""Formerly created a database full-text index (SQLite FTS5 / PostgreSQL GIN).

Ranking moved into ``yiwang.search.engine`` (the same on every database), and migration
0004 drops whatever this created. Kept as a no-op so the migration graph is unchanged.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
