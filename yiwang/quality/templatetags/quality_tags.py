"""Scores and labels of data quality for templates, and the quality card of a resource's
catalogue page (``{% load quality_tags %}{% quality_card resource %}`` in
``datahub/resource.html``: the catalogue app itself never imports this one)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..display import dimension_label, dimension_scores, kind_label, tone
from ..models import QualityScore
from ..permissions import can_manage

register = template.Library()


@register.filter
def score_badge(score) -> SafeString:
    """``87.5`` → a badge coloured by how good the score is; None → a dash."""
    if score is None:
        return format_html('<span class="badge badge-muted">{}</span>', "—")
    return format_html(
        '<span class="badge badge-{}" data-score="{}">{}</span>',
        tone(score),
        f"{score:.2f}",
        f"{score:.1f}",
    )


@register.filter
def rule_label(kind: str) -> str:
    return kind_label(kind)


@register.filter
def dimension(code: str) -> str:
    return dimension_label(code)


@register.inclusion_tag("quality/_resource_card.html", takes_context=True)
def quality_card(context, resource) -> dict:
    """The latest score of ``resource`` (one query) and, for its managers, the way in."""
    request = context.get("request")
    user = getattr(request, "user", None)
    manager = user is not None and can_manage(user, resource)
    score = None
    if resource.current_version_id is not None:
        score = QualityScore.objects.filter(resource=resource).select_related("run").first()
    return {
        "resource": resource,
        "score": score,
        "dimensions": _dimensions(score),
        "manager": manager,
        "show": manager or score is not None,
    }


def _dimensions(score: QualityScore | None) -> list[tuple[str, float | None]]:
    if score is None:
        return []
    return [(d.label, d.score) for d in dimension_scores(score.scores)]
