"""Demo e-seals (``data/seals.json``): the departments that issue licences get a seal each,
with its SM2 key pair and a generated picture, through ``seals.actions``. Idempotent: a
department that already has an active seal of that name and kind is left alone."""

from __future__ import annotations

from typing import Any

from yiwang.seals import actions
from yiwang.seals.models import Seal

from .datafiles import read
from .orgs import departments_by_key

SEALS: list[dict[str, Any]] = read("seals")["seals"]


def load_seals(actor) -> int:
    departments = departments_by_key()
    existing = set(Seal.objects.filter(active=True).values_list("department_id", "name", "kind"))
    created = 0
    for spec in SEALS:
        department = departments.get(spec["department"])
        if department is None:
            continue
        name = spec["name"] or department.name
        if (department.pk, name, spec["kind"]) in existing:
            continue
        actions.create_seal(actor=actor, department=department, name=name, kind=spec["kind"])
        created += 1
    return created
