"""Reading the knowledge base: suggestions for 12345 agents, public FAQ lists and search.

Dialect words (客家话 起屋) are expanded by the shared search itself, whose lexicon holds
the glossary (``yiwang.knowledge.actions.glossary.sync_lexicon``). Search hits are re-checked against the database, so an article that
expired or was unpublished since it was indexed is never returned.

Agents' suggestions are searched without the words that report the call (来电人称,
市民来电反映, 来电咨询): they describe every call, not the matter, and left in they rank
the one article that mentions 来电人 in its title above the article that answers.
"""

from __future__ import annotations

import re

from django.db.models import QuerySet

from yiwang.search import api as search_api

from .indexing import KIND
from .models import Article, KnowledgeCategory

MAX_QUERY_CHARS = search_api.MAX_QUERY_CHARS
MAX_SUGGESTIONS = 20
MAX_RESULTS = 100


# How agents open a call record: who called and how (市民来电反映, 来电人称, 致电咨询).
# A bare 来电 is left alone: in 停电了什么时候来电 it is the matter (the power coming back).
_CALL_REPORT = re.compile(
    r"(市民|群众|村民|居民|客户)?(来电|致电)(人|者)?(反映|咨询|询问|投诉|求助|举报|表示|称|说)?"
)


def without_call_report(text: str) -> str:
    """``text`` without the phrases that report the call rather than the matter."""

    def drop(match: re.Match) -> str:
        who, _call, person, verb = match.groups()
        return " " if (who or person or verb) else match.group(0)

    return _CALL_REPORT.sub(drop, text or "")


def _ranked(
    text: str, *, qs: QuerySet[Article], public_only: bool, limit: int, floor: bool = True
) -> list[Article]:
    query = (text or "").strip()[:MAX_QUERY_CHARS]
    if not query:
        return []
    hits = search_api.search(
        query, kind=KIND, public_only=public_only, limit=min(limit * 2, 100), floor=floor
    )
    ids = []
    for hit in hits:
        if hit.key.isdigit():
            ids.append(int(hit.key))
    if not ids:
        return []
    found = qs.in_bulk(ids)
    return [found[i] for i in ids if i in found][:limit]


def suggest_articles(text: str, limit: int = 5) -> list[Article]:
    """Best articles for what a 12345 agent is typing: published and valid today,
    internal ones included, best first (at most ``MAX_SUGGESTIONS``)."""
    limit = max(1, min(int(limit), MAX_SUGGESTIONS))
    qs = Article.objects.valid().select_related("category")
    # Suggestions while the agent types: the best articles for a long call record, without
    # the floor that keeps answers to a citizen's question honest.
    return _ranked(without_call_report(text), qs=qs, public_only=False, limit=limit, floor=False)


def search_articles(q: str, limit: int = 50) -> list[Article]:
    """Public articles matching ``q``, best first."""
    limit = max(1, min(int(limit), MAX_RESULTS))
    qs = Article.objects.public().select_related("category")
    return _ranked(q, qs=qs, public_only=True, limit=limit)


def category_ids(category: KnowledgeCategory) -> list[int]:
    """The category and all categories below it."""
    ids, frontier = [category.pk], [category.pk]
    while frontier:
        frontier = list(
            KnowledgeCategory.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        frontier = [pk for pk in frontier if pk not in ids]
        ids.extend(frontier)
    return ids


def public_articles(category: KnowledgeCategory | None = None) -> QuerySet[Article]:
    """Public articles (published, public, valid today), optionally of one category subtree."""
    qs = Article.objects.public().select_related("category")
    if category is not None:
        qs = qs.filter(category_id__in=category_ids(category))
    return qs.order_by("category__position", "category_id", "-views", "id")


def popular_articles(limit: int = 10) -> list[Article]:
    return list(
        Article.objects.public()
        .select_related("category")
        .order_by("-views", "-updated_at")[: max(1, min(limit, MAX_RESULTS))]
    )
