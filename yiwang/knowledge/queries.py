"""Reading the knowledge base: suggestions for 12345 agents, public FAQ lists and search.

Queries are expanded with the dialect glossary before they reach the shared search:
when the text contains a glossary term (客家话 起屋), its standard words (建房) are
searched as well. Search hits are re-checked against the database, so an article that
expired or was unpublished since it was indexed is never returned.

Agents' suggestions are searched without the words that report the call (来电人称,
市民来电反映, 来电咨询): they describe every call, not the matter, and left in they rank
the one article that mentions 来电人 in its title above the article that answers.
"""

from __future__ import annotations

import re

from django.db.models import QuerySet

from yiwang.search import api as search_api
from yiwang.search.text import normalize

from .indexing import KIND
from .models import Article, GlossaryTerm, KnowledgeCategory

MAX_QUERY_CHARS = search_api.MAX_QUERY_CHARS
MAX_SUGGESTIONS = 20
MAX_RESULTS = 100


def glossary_expansions(text: str) -> list[str]:
    """Standard words of the glossary terms found in ``text`` (longest terms first)."""
    text = normalize(text)
    if not text:
        return []
    words: list[str] = []
    terms = GlossaryTerm.objects.only("term", "standard")
    for term in sorted(terms, key=lambda t: -len(t.term)):
        if normalize(term.term) in text:
            words.extend(w for w in term.standard_words if normalize(w) not in text)
    return list(dict.fromkeys(words))


def expand_query(text: str) -> str:
    """``text`` plus the standard words of any dialect term in it, within the search's
    length limit (the typed words are shortened first, never the expansion)."""
    text = (text or "").strip()
    extra = " ".join(glossary_expansions(text))
    if not extra:
        return text
    room = max(MAX_QUERY_CHARS - len(extra) - 1, MAX_QUERY_CHARS // 2)
    return f"{text[:room]} {extra}"[:MAX_QUERY_CHARS]


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


def _ranked(text: str, *, qs: QuerySet[Article], public_only: bool, limit: int) -> list[Article]:
    query = expand_query(text)
    if not query:
        return []
    hits = search_api.search(query, kind=KIND, public_only=public_only, limit=min(limit * 2, 100))
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
    return _ranked(without_call_report(text), qs=qs, public_only=False, limit=limit)


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
