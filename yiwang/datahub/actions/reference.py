"""Putting back missing reference data (classifications, grade policies)."""

from __future__ import annotations

from django.db import transaction

from yiwang.audit.actions import record

from ..models import Classification, GradePolicy
from ..reference import GRADE_DEFAULTS, classification_specs
from ._common import require_authority


@transaction.atomic
def ensure_reference_data(*, actor) -> int:
    """Create the seeded classifications and grade policies that are missing; returns how
    many rows were created (existing rows are left as they are)."""
    require_authority(actor)
    nodes = {c.code: c for c in Classification.objects.all()}
    created = 0
    for order, spec in enumerate(classification_specs()):
        if spec["code"] in nodes:
            continue
        parent = nodes.get(spec["parent"]) if spec["parent"] else None
        node = Classification.objects.create(
            code=spec["code"],
            name=spec["name"],
            parent=parent,
            level=1 if parent is None else parent.level + 1,
            order=order,
        )
        nodes[node.code] = node
        created += 1
    existing = set(GradePolicy.objects.values_list("grade", flat=True))
    for grade, (sharing, may_open, mask, route) in GRADE_DEFAULTS.items():
        if grade in existing:
            continue
        GradePolicy.objects.create(
            grade=grade,
            loosest_sharing=sharing,
            may_open=may_open,
            default_mask=mask,
            approval_route=route,
        )
        created += 1
    if created:
        record(actor=actor, action="datahub.ensure_reference_data", created=created)
    return created
