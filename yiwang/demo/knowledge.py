"""Demo knowledge base of 大埔县 (``data/knowledge.json``): categories, FAQ articles and a
Hakka glossary, loaded through ``knowledge.actions``.

Idempotent: categories by name and parent, articles by title, glossary terms by term and
dialect. Articles are linked to the published demo service items by name where one fits.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from yiwang.catalog.models import ServiceItem
from yiwang.knowledge import actions
from yiwang.knowledge.models import Article, GlossaryTerm, KnowledgeCategory

from .datafiles import read
from .orgs import HALLS

_DATA = read("knowledge")


def _hall_text(text: str) -> str:
    """The county hall's name, address, hours and phone put in for their placeholders."""
    hall = HALLS["county"]
    for key in ("name", "address", "opening_hours", "phone"):
        text = text.replace("{hall_" + key + "}", hall[key])
    return text


def _article(spec: dict) -> dict[str, Any]:
    article = {**spec, "answer": _hall_text(spec["answer"])}
    for key in ("valid_from", "valid_until"):
        if key in article:
            article[key] = datetime.date.fromisoformat(article[key])
    return article


#: title, question, category (name), aliases, items (service item names), answer, and
#: optionally public (default true), valid_from, valid_until.
ARTICLES: list[dict[str, Any]] = [_article(spec) for spec in _DATA["articles"]]
#: (term, standard words, dialect, note)
GLOSSARY: list[tuple[str, str, str, str]] = [
    (g["term"], g["standard"], g["dialect"], g["note"]) for g in _DATA["glossary"]
]


def _categories(actor) -> dict[str, KnowledgeCategory]:
    existing = {(c.name, c.parent_id): c for c in KnowledgeCategory.objects.all()}
    by_name: dict[str, KnowledgeCategory] = {}
    for spec in _DATA["categories"]:
        parent = by_name.get(spec["parent"]) if spec["parent"] else None
        category = existing.get((spec["name"], parent.pk if parent else None))
        if category is None:
            category = actions.create_category(
                actor=actor, name=spec["name"], parent=parent, position=spec["position"]
            )
        by_name[spec["name"]] = category
    return by_name


def _glossary(actor) -> int:
    created = 0
    existing = set(GlossaryTerm.objects.values_list("term", "dialect"))
    for term, standard, dialect, note in GLOSSARY:
        if (term, dialect) in existing:
            continue
        actions.add_glossary_term(
            actor=actor, term=term, standard=standard, dialect=dialect, note=note
        )
        created += 1
    return created


def load_knowledge(actor) -> int:
    """Create what is missing; returns the number of articles and terms created."""
    with transaction.atomic():
        categories = _categories(actor)
        created = _glossary(actor)
    items = dict(ServiceItem.objects.published().values_list("name", "pk"))
    titles = set(Article.objects.values_list("title", flat=True))
    for spec in ARTICLES:
        if spec["title"] in titles:
            continue
        with transaction.atomic():
            article = actions.create_article(
                actor=actor,
                title=spec["title"],
                question=spec["question"],
                answer=spec["answer"],
                category=categories[spec["category"]],
                aliases=spec["aliases"],
                service_items=[items[n] for n in spec["items"] if n in items],
                valid_from=spec.get("valid_from"),
                valid_until=spec.get("valid_until"),
                public=spec.get("public", True),
            )
            if not article.expired:
                actions.publish_article(actor=actor, article=article)
            created += 1
    return created
