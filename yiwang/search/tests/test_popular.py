"""Search counts: per normalised query and day, nothing personal, shown once popular enough."""

import datetime

import pytest

from yiwang.search import popular
from yiwang.search.models import QueryCount

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
    # Only the query, its kind, the day and the count are stored: no user, address or time.
    assert {f.name for f in QueryCount._meta.concrete_fields} == {
        "id",
        "kind",
        "day",
        "query",
        "count",
    }


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


def test_searches_that_found_nothing_are_not_recorded():
    assert not popular.record_query("王小明", found=False, day=DAY)
    assert not QueryCount.objects.exists()


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
