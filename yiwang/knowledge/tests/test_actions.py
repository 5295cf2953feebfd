import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yiwang.audit.models import AuditEntry
from yiwang.knowledge import actions
from yiwang.knowledge.models import Article, ArticleStatus, GlossaryTerm
from yiwang.search.models import SearchDocument

from .conftest import publish

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _doc(article):
    return SearchDocument.objects.filter(kind="article", key=str(article.pk)).first()


def test_create_publish_unpublish_indexes_and_audits(
    authority, category, food_item, django_capture_on_commit_callbacks
):
    article = actions.create_article(
        actor=authority,
        title="开饭店需要办哪些证？",
        question="开个饭店要办什么证？",
        answer="需要营业执照和食品经营许可证。",
        category=category,
        aliases="开饭店, 开餐馆",
        service_items=[food_item],
    )
    assert article.status == ArticleStatus.DRAFT
    assert list(article.service_items.all()) == [food_item]
    assert _doc(article) is None

    publish(article, authority, django_capture_on_commit_callbacks)
    doc = _doc(article)
    assert article.status == ArticleStatus.PUBLISHED and article.published_at
    assert doc.url == f"/faq/{article.pk}/" and doc.public
    assert "开饭店" in doc.aliases

    with django_capture_on_commit_callbacks(execute=True):
        actions.update_article(actor=authority, article=article, title="开餐馆需要办哪些证？")
    assert _doc(article).title == "开餐馆需要办哪些证？"

    with django_capture_on_commit_callbacks(execute=True):
        actions.unpublish_article(actor=authority, article=article, reason="政策调整")
    assert article.status == ArticleStatus.DRAFT
    assert _doc(article) is None
    assert list(
        AuditEntry.objects.filter(object_id=str(article.pk), action__contains="_article")
        .order_by("seq")
        .values_list("action", flat=True)
    ) == [
        "knowledge.create_article",
        "knowledge.publish_article",
        "knowledge.update_article",
        "knowledge.unpublish_article",
    ]


def test_internal_article_indexed_as_not_public(authority, django_capture_on_commit_callbacks):
    article = actions.create_article(
        actor=authority, title="来电人情绪激动时怎么应答？", answer="保持语气平和。", public=False
    )
    publish(article, authority, django_capture_on_commit_callbacks)
    assert _doc(article).public is False


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"title": "", "answer": "答"}, "title"),
        ({"title": "   ", "answer": "答"}, "title"),
        ({"title": "标题", "answer": ""}, "answer"),
        ({"title": "标" * 201, "answer": "答"}, "title"),
        (
            {
                "title": "标题",
                "answer": "答",
                "valid_from": datetime.date(2026, 3, 1),
                "valid_until": datetime.date(2026, 2, 1),
            },
            "valid_until",
        ),
        ({"title": "标题", "answer": "答", "valid_from": "2026-02-30"}, "valid_from"),
        ({"title": "标题", "answer": "答", "category": 999999}, "category"),
        ({"title": "标题", "answer": "答", "service_items": [999999]}, "service_items"),
    ],
)
def test_create_article_bad_input(authority, fields, field):
    with pytest.raises(ValidationError) as exc:
        actions.create_article(actor=authority, **fields)
    assert field in exc.value.message_dict
    assert not Article.objects.exists()
    assert not AuditEntry.objects.filter(action="knowledge.create_article").exists()


def test_valid_until_before_valid_from_message_is_specific(authority):
    with pytest.raises(ValidationError) as exc:
        actions.create_article(
            actor=authority,
            title="标题",
            answer="答",
            valid_from="2026-03-01",
            valid_until="2026-02-01",
        )
    message = exc.value.message_dict["valid_until"][0]
    assert "2026-02-01" in message and "2026-03-01" in message


def test_update_keeps_other_dates_when_checking_order(authority):
    article = actions.create_article(
        actor=authority, title="标题", answer="答", valid_from=TODAY + datetime.timedelta(days=10)
    )
    with pytest.raises(ValidationError) as exc:
        actions.update_article(actor=authority, article=article, valid_until=TODAY)
    assert "valid_until" in exc.value.message_dict
    article.refresh_from_db()
    assert article.valid_until is None


def test_agents_and_citizens_may_not_edit(agent, citizen, authority):
    for actor in (agent, citizen):
        with pytest.raises(PermissionDenied):
            actions.create_article(actor=actor, title="标题", answer="答")
        with pytest.raises(PermissionDenied):
            actions.add_glossary_term(actor=actor, term="起屋", standard="建房")
    article = actions.create_article(actor=authority, title="标题", answer="答")
    with pytest.raises(PermissionDenied):
        actions.update_article(actor=agent, article=article, title="改")
    with pytest.raises(PermissionDenied):
        actions.publish_article(actor=agent, article=article)
    article.refresh_from_db()
    assert article.title == "标题" and article.status == ArticleStatus.DRAFT
    assert not GlossaryTerm.objects.exists()


def test_dept_admin_manages_own_department_only(admin_scj, depts, authority):
    own = actions.create_article(
        actor=admin_scj, title="食品许可问答", answer="答", department=depts["scj"]
    )
    actions.publish_article(actor=admin_scj, article=own)
    with pytest.raises(PermissionDenied):
        actions.create_article(
            actor=admin_scj, title="低保问答", answer="答", department=depts["mzj"]
        )
    with pytest.raises(PermissionDenied):
        actions.create_article(actor=admin_scj, title="全县问答", answer="答")
    other = actions.create_article(
        actor=authority, title="低保问答", answer="答", department=depts["mzj"]
    )
    with pytest.raises(PermissionDenied):
        actions.update_article(actor=admin_scj, article=other, title="改")
    with pytest.raises(PermissionDenied):
        actions.update_article(actor=admin_scj, article=own, department=depts["mzj"])


def test_publish_state_errors(authority, django_capture_on_commit_callbacks):
    expired = actions.create_article(
        actor=authority,
        title="2025年缴费期",
        answer="已结束",
        valid_until=TODAY - datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as exc:
        actions.publish_article(actor=authority, article=expired)
    assert "valid_until" in exc.value.message_dict
    article = actions.create_article(actor=authority, title="标题", answer="答")
    with pytest.raises(ValidationError):
        actions.unpublish_article(actor=authority, article=article)
    publish(article, authority, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        actions.publish_article(actor=authority, article=article)
    with pytest.raises(ValidationError):
        actions.update_article(
            actor=authority, article=article, valid_until=TODAY - datetime.timedelta(days=2)
        )
    article.refresh_from_db()
    assert article.valid_until is None and article.status == ArticleStatus.PUBLISHED


def test_glossary_term_success_and_bad_input(authority, admin_scj):
    term = actions.add_glossary_term(actor=admin_scj, term="起屋", standard="建房, 盖房")
    assert term.standard == "建房 盖房" and term.dialect == "客家话"
    assert term.standard_words == ["建房", "盖房"]
    assert AuditEntry.objects.filter(action="knowledge.add_glossary_term").count() == 1
    for kwargs, field in [
        ({"term": "", "standard": "建房"}, "term"),
        ({"term": "起 屋", "standard": "建房"}, "term"),
        ({"term": "睇病", "standard": ""}, "standard"),
        ({"term": "睇病", "standard": "睇病"}, "standard"),
        ({"term": "起屋", "standard": "建房"}, "term"),  # duplicate
    ]:
        with pytest.raises(ValidationError) as exc:
            actions.add_glossary_term(actor=authority, **kwargs)
        assert field in exc.value.message_dict
    assert GlossaryTerm.objects.count() == 1


def test_category_actions(authority, agent):
    parent = actions.create_category(actor=authority, name="社会保障", position=2)
    child = actions.create_category(actor=authority, name="医疗保障", parent=parent)
    assert child.parent == parent
    with pytest.raises(ValidationError):
        actions.create_category(actor=authority, name="社会保障")
    with pytest.raises(ValidationError):
        actions.create_category(actor=authority, name="")
    with pytest.raises(PermissionDenied):
        actions.create_category(actor=agent, name="城市管理")


def test_no_actor_is_not_the_platform(category):
    # Regression: ``actor=None`` (or a bare label) used to pass every knowledge-base check.
    from yiwang.audit.actors import SYSTEM

    for nobody in (None, "demo"):
        with pytest.raises(PermissionDenied):
            actions.create_category(actor=nobody, name="社会保障")
    assert actions.create_category(actor=SYSTEM, name="社会保障").name == "社会保障"
