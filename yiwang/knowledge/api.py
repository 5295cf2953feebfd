"""Public knowledge-base API: /api/v1/knowledge/articles and /articles/{id}.

Only public articles (published, marked public, valid today). With ``q`` the answer is
ranked by the shared Chinese search (dialect glossary applied); without it the most
viewed come first. A fixed number of queries whatever ``limit``. Titles, questions and
answers are published redacted (phone, ID and card numbers masked), as on the FAQ pages.
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from yiwang.catalog.models import ServiceItem
from yiwang.search.text import split_aliases
from yiwang.web.publication import publish_text

from . import queries
from .models import Article

router = Router(tags=["knowledge"])

MAX_LIMIT = 50


class CategoryOut(Schema):
    id: int
    name: str


class ItemLink(Schema):
    id: int
    name: str
    url: str


class ArticleSummary(Schema):
    id: int
    title: str
    question: str
    category: CategoryOut | None
    aliases: list[str]
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    updated_at: datetime.datetime
    url: str


class ArticleDetail(ArticleSummary):
    answer: str = Field(description="Plain text; blank lines separate paragraphs")
    service_items: list[ItemLink]


class ArticleList(Schema):
    items: list[ArticleSummary]


class ArticleFilters(Schema):
    q: str = Field(
        "", max_length=100, description="Question in everyday words, e.g. 社保卡丢了怎么办"
    )
    limit: int = Field(20, ge=1, description="Number of articles (capped at 50)")


def _summary(article: Article) -> dict:
    return {
        "id": article.pk,
        "title": publish_text(article.title),
        "question": publish_text(article.question),
        "category": (
            {"id": article.category.pk, "name": article.category.name} if article.category else None
        ),
        "aliases": split_aliases(article.aliases),
        "valid_from": article.valid_from,
        "valid_until": article.valid_until,
        "updated_at": article.updated_at,
        "url": reverse("knowledge:detail", args=[article.pk]),
    }


@router.get("/articles", response=ArticleList, summary="Public knowledge-base articles")
def list_articles(request, filters: Query[ArticleFilters]):
    limit = min(filters.limit, MAX_LIMIT)
    query = filters.q.strip()
    rows = queries.search_articles(query, limit=limit) if query else queries.popular_articles(limit)
    return {"items": [_summary(a) for a in rows]}


@router.get("/articles/{article_id}", response=ArticleDetail, summary="One public article")
def get_article(request, article_id: int):
    article = (
        Article.objects.public()
        .select_related("category")
        .prefetch_related(
            Prefetch(
                "service_items",
                queryset=ServiceItem.objects.published().order_by("name", "id"),
                to_attr="published_items",
            )
        )
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        raise HttpError(
            404,
            gettext("Article %(id)d does not exist, is not published or is no longer valid.")
            % {"id": article_id},
        )
    data = _summary(article)
    data["answer"] = publish_text(article.answer)
    data["service_items"] = [
        {"id": i.pk, "name": i.name, "url": reverse("catalog:detail", args=[i.pk])}
        for i in article.published_items
    ]
    return data
