"""Load the GB/T 30428.2 classes and subclasses from ``yiwang/grid/data/gbt30428.json``.

Reversing removes what the file holds (and nothing a county added, unless in use).
"""

from django.db import migrations

from yiwang.grid import classification


def load(apps, schema_editor):
    classification.load(apps.get_model("grid", "CaseClass"), apps.get_model("grid", "CaseSubclass"))


def unload(apps, schema_editor):
    CaseClass = apps.get_model("grid", "CaseClass")
    CaseSubclass = apps.get_model("grid", "CaseSubclass")
    CaseSubclass.objects.filter(standard=True).delete()
    for spec in classification.read_data()["classes"]:
        CaseClass.objects.filter(kind=spec["kind"], key=spec["key"], subclasses=None).delete()


class Migration(migrations.Migration):
    dependencies = [("grid", "0004_case_code_lists")]

    operations = [migrations.RunPython(load, unload)]
