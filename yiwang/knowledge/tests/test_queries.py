import datetime

import pytest
from django.utils import timezone

from yiwang.knowledge import actions, indexing, queries
from yiwang.knowledge.models import Article
from yiwang.search import registry
from yiwang.search.lexicon import expansions
from yiwang.search.models import SearchDocument

from .conftest import publish

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def titles(articles):
    return [a.title for a in articles]


def test_suggestion_ranking(articles):
    found = queries.suggest_articles("开饭店要办什么证")
    assert found and found[0].title == "开饭店需要办哪些证？"
    assert queries.suggest_articles("社保卡不见了")[0].title == "社保卡丢了怎么办？"
    assert queries.suggest_articles("") == []
    assert len(queries.suggest_articles("办", limit=2)) <= 2


def test_dialect_query_uses_glossary(articles, authority, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_glossary_term(actor=authority, term="起屋", standard="建房")
        actions.add_glossary_term(actor=authority, term="乜嘢", standard="什么", dialect="粤语")
    assert "建房" in expansions().by_term["起屋"]
    assert expansions().by_term["乜嘢"] == ("什么",)
    found = queries.suggest_articles("起屋要办乜嘢手续")
    assert found[0].title == "农村自建房要办哪些手续？"
    # The dialect word is also indexed as an alias of articles using the standard word.
    doc = SearchDocument.objects.get(kind="article", key=str(found[0].pk))
    assert "起屋" in doc.aliases.split()


def test_glossary_term_not_in_search_synonyms(
    articles, authority, django_capture_on_commit_callbacks
):
    # 嘈 is not in the shared synonym list: only the glossary connects it to 噪音.
    before = queries.suggest_articles("楼下好嘈")
    assert not before or before[0].title != "噪音扰民怎么投诉？"
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_glossary_term(actor=authority, term="嘈", standard="噪音", dialect="粤语")
    assert queries.suggest_articles("楼下好嘈")[0].title == "噪音扰民怎么投诉？"


def test_validity_filtering(authority, category, django_capture_on_commit_callbacks):
    def make(title, **dates):
        article = actions.create_article(
            actor=authority, title=title, answer="停水 找供水企业", category=category, **dates
        )
        return publish(article, authority, django_capture_on_commit_callbacks)

    current = make("停水了找谁？")
    future = make("停水通知（下月）", valid_from=TODAY + DAY)
    ending = make("停水通知（今天）", valid_until=TODAY)
    expired_later = make("停水通知（将过期）", valid_until=TODAY + DAY)

    public = set(queries.public_articles())
    assert current in public and ending in public and future not in public
    assert {current, ending, expired_later} == set(queries.suggest_articles("停水", limit=10))

    # The article expires: it is never suggested again, even before the index is synced.
    Article.objects.filter(pk=expired_later.pk).update(valid_until=TODAY - DAY)
    assert expired_later not in queries.suggest_articles("停水", limit=10)
    assert expired_later not in queries.search_articles("停水")
    result = indexing.sync_validity()
    assert result.removed == 1
    assert not SearchDocument.objects.filter(kind="article", key=str(expired_later.pk)).exists()
    # The future one becomes valid: the sync indexes it.
    Article.objects.filter(pk=future.pk).update(valid_from=TODAY)
    indexing.sync_validity()
    assert future in queries.suggest_articles("停水", limit=10)


def test_internal_articles_suggested_but_not_public(authority, django_capture_on_commit_callbacks):
    article = actions.create_article(
        actor=authority, title="来电人情绪激动时怎么应答？", answer="保持语气平和。", public=False
    )
    publish(article, authority, django_capture_on_commit_callbacks)
    assert queries.suggest_articles("情绪激动") == [article]
    assert queries.search_articles("情绪激动") == []
    assert article not in queries.public_articles()


def test_public_articles_by_category_subtree(authority, django_capture_on_commit_callbacks):
    parent = actions.create_category(actor=authority, name="社会保障")
    child = actions.create_category(actor=authority, name="医疗保障", parent=parent)
    other = actions.create_category(actor=authority, name="户籍")
    made = {}
    for name, cat in [
        ("医保异地就医怎么备案？", child),
        ("低保怎么申请？", parent),
        ("怎么上户口？", other),
    ]:
        a = actions.create_article(actor=authority, title=name, answer="答", category=cat)
        made[name] = publish(a, authority, django_capture_on_commit_callbacks)
    assert set(titles(queries.public_articles(parent))) == {
        "医保异地就医怎么备案？",
        "低保怎么申请？",
    }
    assert titles(queries.public_articles(child)) == ["医保异地就医怎么备案？"]


def test_registered_reindexer(articles):
    assert "article" in registry.reindexers()
    SearchDocument.objects.filter(kind="article").delete()
    (result,) = registry.reindex(["article"])
    assert result.indexed == len(articles)
