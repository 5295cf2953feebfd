"""How pages and exports describe rules, results and scores."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import DIMENSIONS, Dimension, RuleKind
from .models import QualityRule

#: Score at or above which a dimension counts as good, and as acceptable.
GOOD, FAIR = 95.0, 80.0


def kind_label(kind: str) -> str:
    try:
        return str(RuleKind(kind).label)
    except ValueError:
        return kind


def dimension_label(dimension: str) -> str:
    try:
        return str(Dimension(dimension).label)
    except ValueError:
        return dimension


def tone(score: float | None) -> str:
    if score is None:
        return "muted"
    if score >= GOOD:
        return "success"
    if score >= FAIR:
        return "warning"
    return "danger"


def describe(kind: str, params: dict) -> str:
    """The parameters of a rule in a few words."""
    if kind == RuleKind.REGEX:
        return params.get("pattern", "")
    if kind == RuleKind.RANGE:
        low, high = params.get("min"), params.get("max")
        if low is not None and high is not None:
            return _("from %(min)s to %(max)s") % {"min": low, "max": high}
        if low is not None:
            return _("at least %(min)s") % {"min": low}
        return _("at most %(max)s") % {"max": high}
    if kind == RuleKind.ENUM:
        values = params.get("values", [])
        shown = "、".join(values[:8])
        return shown + ("…" if len(values) > 8 else "")
    if kind == RuleKind.REFERENCE:
        return _("a key of resource %(code)s") % {"code": params.get("resource", "")}
    if kind == RuleKind.FRESHNESS:
        days = int(params.get("grace_days", 0))
        return ngettext(
            "update cycle + %(days)d day of grace", "update cycle + %(days)d days of grace", days
        ) % {"days": days}
    return ""


@dataclass(frozen=True)
class RuleRow:
    rule: QualityRule
    kind: str
    item: str
    dimension: str
    params: str


def rule_rows(rules: list[QualityRule], items: dict[str, dict]) -> list[RuleRow]:
    rows = []
    for rule in rules:
        item = items.get(rule.column)
        name = item["name"] if item else ""
        rows.append(
            RuleRow(
                rule=rule,
                kind=kind_label(rule.kind),
                item=f"{name} ({rule.column})" if rule.column else _("The whole resource"),
                dimension=dimension_label(rule.dimension),
                params=describe(rule.kind, rule.params),
            )
        )
    return rows


@dataclass(frozen=True)
class DimensionScore:
    code: str
    label: str
    score: float | None
    tone: str


def dimension_scores(scores: dict[str, float]) -> list[DimensionScore]:
    """The measured dimensions in their usual order."""
    return [
        DimensionScore(d, dimension_label(d), scores[d], tone(scores[d]))
        for d in DIMENSIONS
        if d in scores
    ]


@dataclass(frozen=True)
class ResultRow:
    kind: str
    column: str
    item: str
    dimension: str
    checked: int
    failed: int
    rate: float | None
    note: str


def result_rows(results: list[dict], items: dict[str, dict]) -> list[ResultRow]:
    rows = []
    for r in results:
        item = items.get(r["column"])
        checked, failed = r.get("checked", 0), r.get("failed", 0)
        rows.append(
            ResultRow(
                kind=kind_label(r["kind"]),
                column=r["column"],
                item=item["name"] if item else (r["column"] or _("The whole resource")),
                dimension=dimension_label(r["dimension"]),
                checked=checked,
                failed=failed,
                rate=round(100 * (checked - failed) / checked, 2) if checked else None,
                note=r.get("note", ""),
            )
        )
    return rows
