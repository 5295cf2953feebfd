import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiwang.search import api
from yiwang.search.models import SearchDocument

pytestmark = pytest.mark.django_db


def keys(hits):
    return [h.key for h in hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("开饭店要办什么证", "spjyxk"),
        ("开餐馆", "spjyxk"),
        ("奶茶店", "spjyxk"),  # synonym of 餐饮 in the guide text and 餐饮店 alias
        ("我想办低保", "dbsq"),
        ("房产证", "bdcdj"),
        ("上户口", "csdj"),
        ("我想领证", "jhdj"),
        ("异地看病报销", "ydjyba"),
        ("起屋", "zjdsp"),  # 客家话: build a house
        ("个体户", "gtgshdj"),
        ("结婚登记", "jhdj"),
        ("spjy", "spjyxk"),  # pinyin initials
        ("jhdj", "jhdj"),
        ("SPJY", "spjyxk"),
        ("bu dong chan", "bdcdj"),  # full pinyin with spaces
        ("zuidi", "dbsq"),
    ],
)
def test_best_hit(catalogue, query, expected):
    hits = api.search(query)
    assert hits, query
    assert hits[0].key == expected, (query, [(h.key, h.score) for h in hits])


def test_hit_fields_and_snippet(catalogue):
    hit = api.search("开饭店要办什么证")[0]
    assert (hit.kind, hit.title, hit.url) == ("item", "食品经营许可", "/services/spjyxk/")
    assert hit.score > 0
    assert "餐饮" in hit.snippet or "食品" in hit.snippet
    assert len(hit.snippet) <= api.SNIPPET_LENGTH + 2

    hit = api.search("抵押登记")[0]
    assert hit.key == "bdcdj"
    assert hit.snippet == catalogue[4]["text"]  # short text: shown whole


def test_snippet_centres_on_longest_match(db):
    body = (
        "为方便群众办事，" * 8
        + "申请人可以在湖寮镇便民服务中心办理抵押登记业务。"
        + "具体以窗口答复为准。" * 8
    )
    api.index_document("kb", "long", "不动产问答", text=body)
    hit = api.search("抵押登记", kind="kb")[0]
    assert "抵押登记" in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert len(hit.snippet) == api.SNIPPET_LENGTH + 2
    assert api.search("bdcwd", kind="kb")[0].snippet.startswith("为方便群众办事")


def test_title_outranks_body(catalogue):
    # 营业执照 is in gtgshdj's aliases, only in spjyxk's body.
    assert keys(api.search("营业执照", floor=False))[:2] == ["gtgshdj", "spjyxk"]


def test_no_match_and_empty(catalogue):
    assert api.search("") == []
    assert api.search("   ") == []
    assert api.search(None) == []
    assert api.search("请问在哪里办") == []  # stopwords only
    assert api.search("航天飞机") == []


@pytest.mark.parametrize(
    "query",
    [
        '"食品 AND OR ( * :',
        "食品 NEAR(a b) ^ -",
        "'; DROP TABLE search_searchdocument; --",
        "a | b & !c <-> d:*",
        '""""',
        "{tokens}: 食品",
        "\x00食品",
        "%_%",
    ],
)
def test_query_syntax_never_raises(catalogue, query):
    hits = api.search(query)
    assert isinstance(hits, list)
    assert SearchDocument.objects.count() == len(catalogue)


def test_odd_input_still_finds_words(catalogue):
    assert keys(api.search('"食品 AND OR ( * :'))[0] == "spjyxk"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=150))
def test_arbitrary_text_never_raises(catalogue, query):
    hits = api.search(query, limit=5)
    assert len(hits) <= 5


def test_long_query_is_truncated(catalogue):
    hits = api.search("低保" + "。" * 500 + "结婚")
    assert keys(hits) == ["dbsq"]  # 结婚 lies beyond MAX_QUERY_CHARS


def test_public_only_hides_private_documents(catalogue):
    api.index_document("item", "internal", "低保内部审核规程", text="仅供工作人员", public=False)
    assert "internal" not in keys(api.search("低保"))
    assert "internal" not in keys(api.search("dbnb"))
    assert "internal" in keys(api.search("低保", public_only=False))
    assert "internal" in keys(api.search("dbnb", public_only=False))


def test_kind_filter(catalogue):
    api.index_document("kb", "faq-1", "低保金什么时候发放", text="每月10日前发放。")
    assert keys(api.search("低保", kind="kb")) == ["faq-1"]
    assert "faq-1" not in keys(api.search("低保", kind="item"))
    assert set(keys(api.search("低保", kind=["kb", "item"]))) >= {"faq-1", "dbsq"}


def test_limit_is_capped(catalogue):
    for i in range(5):
        api.index_document("kb", f"d{i}", f"登记问答{i}", text="登记")
    assert len(api.search("登记", limit=3)) == 3
    assert len(api.search("登记", limit=10_000)) <= api.MAX_LIMIT
    assert len(api.search("登记", limit=0)) == 1


def test_remove_document(catalogue):
    assert api.remove_document("item", "jhdj") is True
    assert "jhdj" not in keys(api.search("结婚登记"))
    assert "jhdj" not in keys(api.search("jhdj"))
    assert api.remove_document("item", "jhdj") is False


def test_remove_documents_removes_many_at_once(catalogue):
    api.index_document("kb", "jhdj", "结婚登记问答", text="登记")
    assert api.remove_documents("item", ["jhdj", "nowhere"]) == 1
    assert "jhdj" not in keys(api.search("结婚登记", kind="item"))
    assert keys(api.search("结婚登记问答", kind="kb")) == ["jhdj"]  # another kind's stays
    assert api.remove_documents("item", []) == 0


def test_reindex_same_key_replaces(catalogue):
    api.index_document("item", "jhdj", "离婚登记", text="协议离婚", url="/services/lhdj/")
    assert SearchDocument.objects.filter(kind="item", key="jhdj").count() == 1
    assert "jhdj" not in keys(api.search("领证"))
    hit = api.search("离婚")[0]
    assert (hit.key, hit.title, hit.url) == ("jhdj", "离婚登记", "/services/lhdj/")


def test_index_document_stores_analysis(db):
    doc = api.index_document("item", 42, " 食品经营许可 ", aliases=["开饭店", "开饭店", "餐饮店"])
    assert doc.key == "42"
    assert doc.title == "食品经营许可"
    assert doc.aliases == "开饭店 餐饮店"
    assert doc.initials == "spjyxk kfd cyd"
    assert doc.full_pinyin.startswith("shipinjingyingxuke kaifandian")
    _version, title_words, alias_words, keyword_words = doc.tokens.split("\t")
    assert "食品经营许可" in title_words.split()
    assert alias_words.split().count("开饭店") == 1 and keyword_words == ""


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "Item!", "key": "1", "title": "x"}, "kind"),
        ({"kind": "", "key": "1", "title": "x"}, "kind"),
        ({"kind": "item", "key": "", "title": "x"}, "key"),
        ({"kind": "item", "key": "k" * 129, "title": "x"}, "key"),
        ({"kind": "item", "key": "1", "title": "  "}, "title"),
        ({"kind": "item", "key": "1", "title": "x", "url": "/" * 501}, "url"),
    ],
)
def test_index_document_rejects_bad_input(db, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        api.index_document(**kwargs)
    assert field in exc.value.message_dict
    assert SearchDocument.objects.count() == 0
