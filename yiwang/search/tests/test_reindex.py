import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from yiwang.search import api, registry
from yiwang.search.models import SearchDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def faq_registry():
    rows = [
        {"key": "1", "title": "低保怎么申请", "text": "向镇政府提出申请。"},
        {"key": "2", "title": "结婚登记要带什么", "text": "户口簿和身份证。", "public": False},
    ]
    registry.register("faq", lambda: iter(rows))
    yield rows
    registry.unregister("faq")


def test_rebuild_replaces_the_kind_and_leaves_others(db):
    api.index_document("item", "keep", "不动产登记")
    api.index_document("faq", "old", "过时的问答")
    result = api.rebuild(
        "faq", [{"key": "1", "title": "低保怎么申请"}, {"key": 2, "title": "结婚"}]
    )
    assert (result.indexed, result.removed) == (2, 1)
    assert set(SearchDocument.objects.values_list("kind", "key")) == {
        ("item", "keep"),
        ("faq", "1"),
        ("faq", "2"),
    }


def test_rebuild_is_all_or_nothing(db):
    api.index_document("faq", "old", "过时的问答")
    with pytest.raises(ValidationError):
        api.rebuild("faq", [{"key": "1", "title": "低保"}, {"key": "2"}])
    assert list(SearchDocument.objects.values_list("key", flat=True)) == ["old"]


def test_register_rejects_bad_kind():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        registry.register("Bad Kind", list)


def test_register_as_decorator():
    @registry.register("deco")
    def reindex():
        return []

    try:
        assert registry.reindexers()["deco"] is reindex
    finally:
        registry.unregister("deco")


def test_command_reindexes_registered_kinds(faq_registry, capsys):
    call_command("search_reindex", "faq")
    out = capsys.readouterr().out
    assert "faq" in out and "2" in out
    assert [h.key for h in api.search("低保", kind="faq")] == ["1"]
    assert [h.key for h in api.search("结婚", kind="faq", public_only=False)] == ["2"]

    faq_registry.pop()
    call_command("search_reindex")
    assert list(SearchDocument.objects.filter(kind="faq").values_list("key", flat=True)) == ["1"]


def test_command_list_and_unknown_kind(faq_registry, capsys):
    call_command("search_reindex", "--list")
    assert "faq" in capsys.readouterr().out.split()
    with pytest.raises(CommandError, match="nope"):
        call_command("search_reindex", "nope")
