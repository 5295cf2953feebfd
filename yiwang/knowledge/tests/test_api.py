import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yiwang.knowledge import actions
from yiwang.knowledge.models import Article

from .conftest import publish

pytestmark = pytest.mark.django_db

BASE = "/api/v1/knowledge/articles"


def test_list_ranked_by_query(client, articles):
    response = client.get(BASE, {"q": "开饭店要办什么证", "limit": 3})
    assert response.status_code == 200
    items = response.json()["items"]
    assert items[0]["title"] == "开饭店需要办哪些证？"
    assert items[0]["url"] == f"/faq/{items[0]['id']}/"
    assert len(items) <= 3


def test_list_only_public_and_valid(
    client, articles, authority, django_capture_on_commit_callbacks
):
    internal = actions.create_article(actor=authority, title="内部口径", answer="答", public=False)
    publish(internal, authority, django_capture_on_commit_callbacks)
    draft = actions.create_article(actor=authority, title="草稿", answer="答")
    expired = next(iter(articles.values()))
    Article.objects.filter(pk=expired.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    ids = {i["id"] for i in client.get(BASE, {"limit": 50}).json()["items"]}
    assert ids == {a.pk for a in articles.values()} - {expired.pk}
    for article in (internal, draft, expired):
        response = client.get(f"{BASE}/{article.pk}")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"


def test_detail(client, authority, food_item, django_capture_on_commit_callbacks):
    article = actions.create_article(
        actor=authority, title="开饭店需要办哪些证？", answer="营业执照", service_items=[food_item]
    )
    publish(article, authority, django_capture_on_commit_callbacks)
    data = client.get(f"{BASE}/{article.pk}").json()
    assert data["answer"] == "营业执照"
    assert data["service_items"] == [
        {"id": food_item.pk, "name": food_item.name, "url": f"/services/{food_item.pk}/"}
    ]


def test_bad_limit_is_problem_json(client):
    response = client.get(BASE, {"limit": 0})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_query_count_independent_of_page_size(
    client, authority, category, django_capture_on_commit_callbacks
):
    for n in range(12):
        article = actions.create_article(
            actor=authority, title=f"停水问答{n}", answer="停水了找供水企业", category=category
        )
        publish(article, authority, django_capture_on_commit_callbacks)
    client.get(BASE, {"q": "停水"})  # the process loads its search index once
    counts = []
    for limit in (2, 12):
        for params in ({"limit": limit}, {"limit": limit, "q": "停水"}):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(BASE, params)
            assert len(response.json()["items"]) == limit
            counts.append((params.get("q", ""), len(ctx.captured_queries)))
    plain = [c for q, c in counts if not q]
    searched = [c for q, c in counts if q]
    assert plain[0] == plain[1] and searched[0] == searched[1]
