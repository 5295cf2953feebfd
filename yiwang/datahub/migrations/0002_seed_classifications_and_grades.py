"""Seed the classification tree (from ``data/classifications.json``) and one grade policy
per grade (GB/T 43697-2024 defaults; the authority adjusts them on /data/grades/)."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "classifications.json"

#: grade → (loosest sharing type, may be opened, default mask, approval route)
GRADE_DEFAULTS = {
    "g1": ("unconditional", True, "none", "authority"),
    "g2": ("unconditional", True, "none", "authority"),
    "g3": ("conditional", False, "none", "authority_provider"),
    "g4": ("conditional", False, "hidden", "authority_provider"),
    "important": ("conditional", False, "hidden", "authority_provider"),
    "core": ("none", False, "hidden", "authority_provider"),
}


def seed(apps, schema_editor):
    Classification = apps.get_model("datahub", "Classification")
    GradePolicy = apps.get_model("datahub", "GradePolicy")
    specs = json.loads(DATA.read_text(encoding="utf-8"))["classifications"]
    by_code = {}
    for order, spec in enumerate(specs):
        parent = by_code.get(spec["parent"]) if spec["parent"] else None
        level = 1 if parent is None else parent.level + 1
        node, _created = Classification.objects.get_or_create(
            code=spec["code"],
            defaults={"name": spec["name"], "parent": parent, "level": level, "order": order},
        )
        by_code[node.code] = node
    for grade, (sharing, may_open, mask, route) in GRADE_DEFAULTS.items():
        GradePolicy.objects.get_or_create(
            grade=grade,
            defaults={
                "loosest_sharing": sharing,
                "may_open": may_open,
                "default_mask": mask,
                "approval_route": route,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("datahub", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
