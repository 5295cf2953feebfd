"""The GB/T 30428.2 code lists of components and events (部件 and 事件 classes and subclasses).

The lists ship as data (``data/gbt30428.json``, with its source note) and are loaded into
``CaseClass`` / ``CaseSubclass`` by a migration through ``load``, which takes the model classes
so that the migration can pass its historical ones. Forms read the lists through
``models.code_list`` (memoised per process); ``rules.clean_subclass`` is the one check.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "gbt30428.json"


@cache
def read_data() -> dict:
    with DATA_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)


def load(CaseClass, CaseSubclass) -> tuple[int, int]:
    """Create the classes and subclasses of the data file that are missing (idempotent; names
    and descriptions edited in the back office are kept). Returns (classes, subclasses) created."""
    made_classes = made_subclasses = 0
    for spec in read_data()["classes"]:
        case_class, created = CaseClass.objects.get_or_create(
            kind=spec["kind"],
            key=spec["key"],
            defaults={"code": spec["code"], "name": spec["name"]},
        )
        made_classes += created
        existing = set(case_class.subclasses.values_list("code", flat=True))
        new = [
            CaseSubclass(
                case_class=case_class,
                code=sub["code"],
                name=sub["name"],
                description=sub.get("description", ""),
                standard=True,
            )
            for sub in spec["subclasses"]
            if sub["code"] not in existing
        ]
        CaseSubclass.objects.bulk_create(new)
        made_subclasses += len(new)
    return made_classes, made_subclasses


def normalise(name: str) -> str:
    """For matching free text to a subclass name: full-width forms folded, spaces dropped."""
    return "".join(unicodedata.normalize("NFKC", name or "").split())
