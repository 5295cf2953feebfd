"""Seed the default time limits (STANDARDS.md "12345 hotline"); editable in the admin."""

from django.db import migrations

DEFAULTS = [
    # type, urgent, days, sign_days
    ("consult", False, 3, 1),
    ("help", False, 3, 1),
    ("complaint", False, 13, 1),
    ("report", False, 13, 1),
    ("suggestion", False, 13, 1),
    ("consult", True, 0, 0),
    ("help", True, 0, 0),
    ("complaint", True, 0, 0),
    ("report", True, 0, 0),
    ("suggestion", True, 0, 0),
]


def seed(apps, schema_editor):
    TimeLimit = apps.get_model("hotline", "TimeLimit")
    for type_, urgent, days, sign_days in DEFAULTS:
        TimeLimit.objects.get_or_create(
            type=type_, urgent=urgent, defaults={"days": days, "sign_days": sign_days}
        )


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
