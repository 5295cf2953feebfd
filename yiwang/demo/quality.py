"""Demo data quality: the base registries get their suggested rules and one run, so the
quality scores and issue lists are not empty on a fresh start. Loaded after the registries'
rows through ``quality.actions``; idempotent (a registry that has rules is left alone)."""

from __future__ import annotations

from yiwang.datahub.models import Resource
from yiwang.quality import actions
from yiwang.quality.models import QualityRule

from .registries import CREDIT_RECORDS, LEGAL_ENTITIES, LICENCE_INDEX, POPULATION

REGISTRIES = (POPULATION, LEGAL_ENTITIES, LICENCE_INDEX, CREDIT_RECORDS)


def load_quality(actor) -> dict[str, int]:
    counts = {"rules": 0, "runs": 0}
    resources = Resource.objects.filter(
        name__in=REGISTRIES, current_version__isnull=False, withdrawn_at__isnull=True
    )
    for resource in resources:
        if QualityRule.objects.filter(resource=resource).exists():
            continue
        counts["rules"] += len(actions.accept_suggestions(actor=actor, resource=resource))
        actions.request_run(actor=actor, resource=resource)
        counts["runs"] += 1
    return counts
