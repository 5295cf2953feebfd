"""Reading data quality: a resource's rules and runs, a run's issues, scores by resource."""

from __future__ import annotations

from django.db.models import F, QuerySet

from yiwang.datahub.models import Resource

from .models import QualityIssue, QualityRule, QualityRun, QualityScore
from .permissions import scores_q

#: Runs listed on a resource's quality page.
RECENT_RUNS = 10


def rules_of(resource: Resource) -> list[QualityRule]:
    return list(QualityRule.objects.filter(resource=resource).order_by("column", "kind", "id"))


def recent_runs(resource: Resource, limit: int = RECENT_RUNS) -> list[QualityRun]:
    return list(
        QualityRun.objects.filter(resource=resource)
        .select_related("requested_by")
        .order_by("-created_at", "-id")[:limit]
    )


def latest_score(resource: Resource) -> QualityScore | None:
    return QualityScore.objects.filter(resource=resource).select_related("run").first()


def scores_for(user) -> QuerySet[QualityScore]:
    """Latest scores of the resources ``user`` may list, worst first (unscored last)."""
    return (
        QualityScore.objects.filter(scores_q(user))
        .select_related("resource", "resource__provider", "run")
        .order_by(F("score").asc(nulls_last=True), "resource__code")
    )


def find_rule(pk: int) -> QualityRule | None:
    return (
        QualityRule.objects.select_related(
            "resource", "resource__provider", "resource__current_version"
        )
        .filter(pk=pk)
        .first()
    )


def find_run(pk: int) -> QualityRun | None:
    return (
        QualityRun.objects.select_related(
            "resource", "resource__provider", "resource__current_version"
        )
        .filter(pk=pk)
        .first()
    )


def issues_of(run: QualityRun, *, kind: str = "", column: str = "") -> QuerySet[QualityIssue]:
    qs = QualityIssue.objects.filter(run=run)
    if kind:
        qs = qs.filter(kind=kind)
    if column:
        qs = qs.filter(column=column)
    return qs.order_by("id")
