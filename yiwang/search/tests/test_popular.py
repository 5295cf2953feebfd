"""Search counts: per normalised query and day, nothing personal, shown once popular enough;
results opened after a search, guides opened, and the lists built from them."""

import datetime

import pytest
from django.db.models import QuerySet

from yiwang.search import popular
from yiwang.search.models import DocumentUse, QueryCount, ResultClick

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 2)


def test_counts_are_per_normalised_query_and_day():
    for text in ("开饭店", " 开饭店 ", "开饭店"):
        assert popular.record_query(text, found=True, day=DAY)
    popular.record_query("ＡＢＣ 证", found=True, day=DAY)  # NFKC, lower case
    popular.record_query("开饭店", found=True, day=DAY + datetime.timedelta(days=1))
    rows = {(r.day, r.query): r.count for r in QueryCount.objects.all()}
    assert rows == {
        (DAY, "开饭店"): 3,
        (DAY, "abc 证"): 1,
        (DAY + datetime.timedelta(days=1), "开饭店"): 1,
    }


def test_nothing_personal_is_stored():
    # Only the query, its kind, the day and counters: no user, address or time of day.
    assert {f.name for f in QueryCount._meta.concrete_fields} == {
        "id",
        "kind",
        "day",
        "query",
        "count",
        "empty",
        "clicks",
    }
    assert {f.name for f in ResultClick._meta.concrete_fields} == {
        "id",
        "kind",
        "day",
        "query",
        "key",
        "count",
    }
    assert {f.name for f in DocumentUse._meta.concrete_fields} == {
        "id",
        "kind",
        "key",
        "day",
        "views",
    }
    for model in (QueryCount, ResultClick, DocumentUse):
        assert not any(f.is_relation for f in model._meta.get_fields()), model


@pytest.mark.parametrize(
    "query",
    [
        "13800135678",  # a phone number
        "441422198503121234",  # an ID number
        "张三 6222021234",  # part of an account number
        "someone@example.com",
        "很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长",
        "   ",
    ],
)
def test_identifying_or_odd_queries_are_not_recorded(query):
    assert not popular.record_query(query, found=True, day=DAY)
    assert not QueryCount.objects.exists()


def test_searches_that_found_nothing_are_counted_as_empty():
    assert popular.record_query("手机屏幕碎了", found=False, day=DAY)
    assert popular.record_query("手机屏幕碎了", found=False, day=DAY)
    assert popular.record_query("开饭店", found=True, day=DAY)
    assert popular.record_query("开饭店", found=False, day=DAY)  # the catalogue changed
    rows = {r.query: (r.count, r.empty, r.clicks) for r in QueryCount.objects.all()}
    assert rows == {"手机屏幕碎了": (2, 2, 0), "开饭店": (2, 1, 0)}


def test_a_search_is_one_update_once_its_row_exists(django_assert_num_queries):
    popular.record_query("开饭店", found=True, day=DAY)
    with django_assert_num_queries(1):
        popular.record_query("开饭店", found=True, day=DAY)
    assert QueryCount.objects.get().count == 2


def test_popular_queries_rank_by_searches_over_the_period_with_a_minimum():
    def searched(text, times, day=DAY):
        for _ in range(times):
            popular.record_query(text, found=True, day=day)

    searched("开饭店", 5)
    searched("结婚登记", 2)
    searched("结婚登记", 2, DAY - datetime.timedelta(days=3))
    searched("个体户", 2)  # below the minimum: never shown
    searched("社保", 9, DAY - datetime.timedelta(days=40))  # too long ago
    assert popular.popular_queries(today=DAY) == ["开饭店", "结婚登记"]
    assert popular.popular_queries(today=DAY, limit=1) == ["开饭店"]


def test_popular_queries_count_only_searches_that_found_something():
    for _ in range(9):
        popular.record_query("王小明", found=False, day=DAY)  # a name: never shown
    for _ in range(3):
        popular.record_query("开网吧", found=False, day=DAY)
    popular.record_query("开网吧", found=True, day=DAY)  # 1 of 4 found something
    for _ in range(3):
        popular.record_query("开饭店", found=True, day=DAY)
    assert popular.popular_queries(today=DAY) == ["开饭店"]


def test_a_click_counts_for_a_query_searched_that_day():
    popular.record_query("开饭店", found=True, day=DAY)
    assert popular.record_click(" 开饭店 ", kind="item", key=7, day=DAY)
    assert popular.record_click("开饭店", kind="item", key="7", day=DAY)
    assert popular.record_click("开饭店", kind="item", key=9, day=DAY)
    assert QueryCount.objects.get().clicks == 3
    clicks = {(r.query, r.key): r.count for r in ResultClick.objects.all()}
    assert clicks == {("开饭店", "7"): 2, ("开饭店", "9"): 1}


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("没人搜过的词", "7"),  # not searched that day: a made-up link leaves nothing
        ("13800135678", "7"),  # identifying
        ("", "7"),
        ("开饭店", ""),
        ("开饭店", "x" * 129),
    ],
)
def test_clicks_that_are_not_counted(query, key):
    popular.record_query("开饭店", found=True, day=DAY)
    assert not popular.record_click(query, kind="item", key=key, day=DAY)
    assert not ResultClick.objects.exists()
    assert QueryCount.objects.get().clicks == 0


def test_a_click_the_day_after_the_search_is_not_counted():
    popular.record_query("开饭店", found=True, day=DAY)
    assert not popular.record_click(
        "开饭店", kind="item", key=7, day=DAY + datetime.timedelta(days=1)
    )
    assert not ResultClick.objects.exists()


def test_views_are_counted_per_document_and_day():
    for _ in range(3):
        assert popular.record_view("item", 5, day=DAY)
    assert popular.record_view("item", "5", day=DAY + datetime.timedelta(days=1))
    assert popular.record_view("article", 5, day=DAY)
    assert not popular.record_view("item", "", day=DAY)
    assert not popular.record_view("item", "x" * 129, day=DAY)
    rows = {(r.kind, r.key, r.day): r.views for r in DocumentUse.objects.all()}
    assert rows == {
        ("item", "5", DAY): 3,
        ("item", "5", DAY + datetime.timedelta(days=1)): 1,
        ("article", "5", DAY): 1,
    }


def test_popular_documents_rank_views_and_clicks_over_the_period():
    for _ in range(3):
        popular.record_view("item", "1", day=DAY)
    for _ in range(2):
        popular.record_view("item", "2", day=DAY)
    popular.record_query("开饭店", found=True, day=DAY)
    for _ in range(2):
        popular.record_click("开饭店", kind="item", key="2", day=DAY)  # 2 views + 2 clicks
    for _ in range(9):
        popular.record_view("item", "3", day=DAY - datetime.timedelta(days=31))  # too old
    popular.record_view("article", "4", day=DAY)  # another kind
    assert popular.popular_documents("item", today=DAY) == ["2", "1"]
    assert popular.popular_documents("item", today=DAY, limit=1) == ["2"]
    assert popular.popular_documents("item", today=DAY, days=40)[0] == "3"
    assert popular.popular_documents("article", today=DAY) == ["4"]


def test_query_stats_for_the_report(django_assert_num_queries):
    def searched(text, times, found=True, day=DAY):
        for _ in range(times):
            popular.record_query(text, found=found, day=day)

    searched("开饭店", 5)
    popular.record_click("开饭店", kind="item", key="1", day=DAY)
    searched("开饭店", 2, day=DAY - datetime.timedelta(days=2))
    searched("结婚登记", 3)  # results, never opened
    searched("手机屏幕碎了", 4, found=False)
    searched("开网吧", 1, found=False)
    searched("开网吧", 1)  # one of two found something, nothing opened
    searched("社保", 8, day=DAY - datetime.timedelta(days=10))  # outside 7 days
    with django_assert_num_queries(1):
        top = popular.query_stats(today=DAY, days=7)
    assert [(s.query, s.searches, s.empty, s.clicks) for s in top] == [
        ("开饭店", 7, 0, 1),
        ("手机屏幕碎了", 4, 4, 0),
        ("结婚登记", 3, 0, 0),
        ("开网吧", 2, 1, 0),
    ]
    assert top[0].click_rate == pytest.approx(1 / 7)
    assert top[1].click_rate is None
    unclicked = popular.query_stats(today=DAY, days=7, order="unclicked")
    assert [s.query for s in unclicked] == ["结婚登记", "开网吧"]
    empty = popular.query_stats(today=DAY, days=7, order="empty")
    assert [(s.query, s.empty) for s in empty] == [("手机屏幕碎了", 4), ("开网吧", 1)]
    assert popular.query_stats(today=DAY, days=30)[0].query == "社保"
    assert len(popular.query_stats(today=DAY, days=7, limit=2)) == 2
    with pytest.raises(ValueError):
        popular.query_stats(order="sideways")


def test_a_row_created_by_a_concurrent_search_is_counted_into(monkeypatch):
    real_update = QuerySet.update
    calls = []

    def racing_update(self, **changes):
        if not calls:  # between our UPDATE finding no row and our INSERT …
            calls.append(1)
            QueryCount.objects.create(kind="item", day=DAY, query="开饭店", count=1, empty=1)
            return 0
        return real_update(self, **changes)

    monkeypatch.setattr(QuerySet, "update", racing_update)
    assert popular.record_query("开饭店", found=False, day=DAY)  # … another request inserted
    row = QueryCount.objects.get()
    assert (row.count, row.empty) == (2, 2)
