"""Keeping the shared Chinese search (``yiwang.search.api``) in step with the articles.

Kind ``"article"``, key = article id, url ``/faq/<id>/``. Only published articles valid
today are indexed; ``public`` in the index follows the article's public flag (internal
answers are found by agents' suggestions, never by public search). Aliases are the
article's own plus every glossary term whose standard word occurs in the article, so
睇病 finds an article that says 看病.

Called from ``transaction.on_commit`` in the actions. Validity is time-based, so
``sync_validity`` (task ``knowledge.tasks.sync_article_validity``, run daily by the
worker) rebuilds the kind; queries also filter by validity, so an article that expired
since the last sync is never suggested.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

KIND = "article"


def glossary_pairs() -> list[tuple[str, list[str]]]:
    """``(dialect term, [standard words])`` for every glossary entry."""
    from .models import GlossaryTerm

    return [(t.term, t.standard_words) for t in GlossaryTerm.objects.only("term", "standard")]


def dialect_aliases(text: str, pairs: Iterable[tuple[str, list[str]]]) -> list[str]:
    """Dialect terms whose standard word occurs in ``text``."""
    return [term for term, standard in pairs if any(w and w in text for w in standard)]


def document(article, pairs: Iterable[tuple[str, list[str]]] = ()) -> dict:
    from yiwang.search.text import split_aliases

    own = split_aliases(article.aliases)
    body = "\n".join([article.title, article.question, article.answer, " ".join(own)])
    aliases = list(dict.fromkeys([*own, *dialect_aliases(body, pairs)]))
    return {
        "key": str(article.pk),
        "title": article.title,
        "text": "\n".join(p for p in (article.question, article.answer) if p),
        "aliases": aliases,
        "url": reverse("knowledge:detail", args=[article.pk]),
        "public": bool(article.public),
    }


def reindex_documents():
    """Every published, currently valid article (for ``yiwang.search.registry``)."""
    from .models import Article

    pairs = glossary_pairs()
    for article in Article.objects.valid().order_by("id").iterator(chunk_size=500):
        yield document(article, pairs)


def index_article(article_id: int) -> None:
    """(Re-)index one article if it is published and valid today, otherwise remove it."""
    from yiwang.search import api

    from .models import Article

    article = Article.objects.valid().filter(pk=article_id).first()
    if article is None:
        api.remove_document(KIND, str(article_id))
        return
    api.index_document(KIND, **document(article, glossary_pairs()))


def sync_validity():
    """Rebuild the article part of the index (adds newly valid, drops expired ones)."""
    from yiwang.search import api

    return api.rebuild(KIND, reindex_documents())
