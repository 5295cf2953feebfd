import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from yiwang.knowledge import actions
from yiwang.knowledge.models import Article, ArticleStatus, GlossaryTerm
from yiwang.knowledge.rendering import render_answer

from .conftest import PASSWORD, publish

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_index_search_category_and_popular(client, articles, category):
    response = client.get(reverse("knowledge:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "开饭店需要办哪些证？" in html and category.name in html
    response = client.get(reverse("knowledge:index"), {"q": "开饭店要办什么证"})
    assert response.context["page"].object_list[0].title == "开饭店需要办哪些证？"
    response = client.get(reverse("knowledge:index"), {"category": category.pk})
    assert response.context["page"].paginator.count == len(articles)


def test_detail_shows_answer_items_and_counts_views(
    client, authority, food_item, category, django_capture_on_commit_callbacks
):
    article = actions.create_article(
        actor=authority,
        title="开饭店需要办哪些证？",
        answer="需要：\n- 营业执照\n- **食品经营许可证**\n\n<script>alert(1)</script>",
        category=category,
        service_items=[food_item],
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    url = reverse("knowledge:detail", args=[article.pk])
    assert client.get(url).status_code == 404  # draft
    publish(article, authority, django_capture_on_commit_callbacks)
    html = client.get(url).content.decode()
    assert "<li>营业执照</li>" in html and "<strong>食品经营许可证</strong>" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert f'href="/services/{food_item.pk}/"' in html
    assert article.valid_until.strftime("%Y-%m-%d") in html
    article.refresh_from_db()
    assert article.views == 1


def test_detail_hidden_when_expired_or_internal(
    client, authority, agent, django_capture_on_commit_callbacks
):
    internal = actions.create_article(actor=authority, title="内部口径", answer="答", public=False)
    publish(internal, authority, django_capture_on_commit_callbacks)
    expired = actions.create_article(actor=authority, title="旧通知", answer="答")
    publish(expired, authority, django_capture_on_commit_callbacks)
    Article.objects.filter(pk=expired.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    for article in (internal, expired):
        assert client.get(reverse("knowledge:detail", args=[article.pk])).status_code == 404
    login(client, agent)
    assert client.get(reverse("knowledge:detail", args=[internal.pk])).status_code == 200
    assert client.get(reverse("knowledge:detail", args=[expired.pk])).status_code == 404
    login(client, authority)
    assert client.get(reverse("knowledge:detail", args=[expired.pk])).status_code == 200


def test_glossary_page(client, authority):
    actions.add_glossary_term(actor=authority, term="起屋", standard="建房", note="建房子")
    response = client.get(reverse("knowledge:glossary"))
    assert response.status_code == 200
    assert "起屋" in response.content.decode() and "建房" in response.content.decode()


def test_suggest_fragment_staff_only(client, articles, agent, citizen):
    url = reverse("knowledge:suggest")
    assert client.get(url, {"q": "开饭店"}).status_code in (302, 403)
    login(client, citizen)
    assert client.get(url, {"q": "开饭店"}).status_code == 403
    login(client, agent)
    response = client.get(url, {"q": "开饭店要办什么证"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert next(a.title for a in response.context["articles"]) == "开饭店需要办哪些证？"
    assert "<html" not in response.content.decode()


def test_manage_pages_forbidden_for_agents_and_citizens(client, articles, agent, citizen):
    article = next(iter(articles.values()))
    urls = [
        reverse("knowledge:manage"),
        reverse("knowledge:manage_create"),
        reverse("knowledge:manage_edit", args=[article.pk]),
        reverse("knowledge:manage_glossary"),
    ]
    for user in (agent, citizen):
        login(client, user)
        for url in urls:
            assert client.get(url).status_code == 403, url
        response = client.post(reverse("knowledge:manage_unpublish", args=[article.pk]))
        assert response.status_code == 403
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED


def test_manage_create_edit_publish_unpublish(client, authority, category, food_item):
    login(client, authority)
    assert client.get(reverse("knowledge:manage")).status_code == 200
    response = client.post(
        reverse("knowledge:manage_create"),
        {
            "title": "",
            "answer": "答",
            "valid_from": "2026-03-01",
            "valid_until": "2026-02-01",
            "public": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assert not Article.objects.exists()
    response = client.post(
        reverse("knowledge:manage_create"),
        {
            "title": "开饭店需要办哪些证？",
            "question": "开饭店要办什么证",
            "answer": "营业执照和食品经营许可证",
            "category": category.pk,
            "aliases": "开饭店",
            "service_items": [food_item.pk],
            "public": "on",
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("knowledge:manage_edit", args=[article.pk])
    assert list(article.service_items.all()) == [food_item]
    assert client.get(reverse("knowledge:manage_edit", args=[article.pk])).status_code == 200
    client.post(reverse("knowledge:manage_publish", args=[article.pk]))
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    client.post(reverse("knowledge:manage_unpublish", args=[article.pk]), {"next": "list"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT


def test_manage_glossary_form(client, admin_scj):
    login(client, admin_scj)
    response = client.post(reverse("knowledge:manage_glossary"), {"term": "", "standard": "建房"})
    assert response.status_code == 200 and response.context["form"].errors["term"]
    response = client.post(
        reverse("knowledge:manage_glossary"), {"term": "起屋", "standard": "建房", "dialect": ""}
    )
    assert response.status_code == 302
    assert GlossaryTerm.objects.get().dialect == "客家话"


def test_manage_list_is_scoped_for_dept_admin(client, admin_scj, authority, depts):
    other = actions.create_article(
        actor=authority, title="民政问答", answer="答", department=depts["mzj"]
    )
    actions.create_article(
        actor=admin_scj, title="市场监管问答", answer="答", department=depts["scj"]
    )
    login(client, admin_scj)
    listed = [a.title for a in client.get(reverse("knowledge:manage")).context["page"].object_list]
    assert listed == ["市场监管问答"]
    assert client.get(reverse("knowledge:manage_edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("knowledge:manage_publish", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == ArticleStatus.DRAFT


def test_render_answer_escapes_and_formats():
    html = render_answer("第一段\n第二行\n\n1. 甲\n2、乙\n\n**重点** <b>x</b>")
    assert html == (
        "<p>第一段<br>第二行</p><ol><li>甲</li><li>乙</li></ol>"
        "<p><strong>重点</strong> &lt;b&gt;x&lt;/b&gt;</p>"
    )
