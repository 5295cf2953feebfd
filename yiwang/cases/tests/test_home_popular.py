"""The home page's 热门服务 are the items most applied for lately and its 热门搜索 what people
searched for most; recorded searches come from the public service search."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from yiwang.cases import queries
from yiwang.cases.models import Case
from yiwang.catalog import indexing
from yiwang.catalog.queries import featured_items
from yiwang.search.models import QueryCount
from yiwang.site.views import popular_item_ids

pytestmark = pytest.mark.django_db


def popular_service_links(html: str) -> list[str]:
    section = re.search(r'data-testid="popular-services">(.*?)</ul>', html, re.S).group(1)
    return re.findall(r'<h3><a href="/services/(\d+)/">', section)


def hints(html: str) -> list[str]:
    found = re.search(r'data-testid="popular-searches">(.*?)</p>', html, re.S)
    return re.findall(r"\?q=[^\"]*\">([^<]+)</a>", found.group(1)) if found else []


def test_items_are_ranked_by_recent_use(world, submit):
    for _ in range(2):
        submit(item=world.relief)
    submit(item=world.local_only)
    old = submit(item=world.food)
    Case.objects.filter(pk=old.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=queries.POPULAR_DAYS + 1)
    )
    assert queries.most_used_item_ids() == [world.relief.pk, world.local_only.pk]
    ranked = featured_items(limit=3, ranked_ids=queries.most_used_item_ids())
    # The most used first, then the rest in catalogue order.
    assert [i.pk for i in ranked] == [world.relief.pk, world.local_only.pk, world.food.pk]


def test_home_shows_the_most_used_services_first(client, world, submit):
    for _ in range(3):
        submit(item=world.relief)
    submit(item=world.local_only)
    links = popular_service_links(client.get("/").content.decode())
    assert links[:2] == [str(world.relief.pk), str(world.local_only.pk)]
    assert str(world.food.pk) in links


def test_home_without_use_shows_the_catalogue_order(client, world):
    links = popular_service_links(client.get("/").content.decode())
    assert links == [str(i.pk) for i in featured_items(limit=8)]


def test_searches_are_recorded_and_the_most_searched_shown(client, world):
    indexing.index_item(world.food.pk)  # items are indexed on commit, which tests never reach
    for _ in range(3):
        client.get(reverse("catalog:index"), {"q": "食品经营许可"})
    client.get(reverse("catalog:index"), {"q": "食品经营许可", "page": "2"})  # same search
    client.get(reverse("catalog:index"), {"q": "13800135678"})  # personal: not recorded
    client.get(reverse("catalog:index"), {"q": "完全不存在的事项名称"})  # found nothing
    assert set(QueryCount.objects.values_list("query", "count", "empty")) == {
        ("食品经营许可", 3, 0),
        ("完全不存在的事项名称", 1, 1),  # for the search report, never a public hint
    }
    cache.clear()
    assert hints(client.get("/").content.decode()) == ["食品经营许可"]


def test_without_recorded_searches_the_hints_are_the_popular_services(client, world, submit):
    submit(item=world.relief)
    shown = hints(client.get("/").content.decode())
    assert shown[0] == world.relief.name


def _read(client, item, times):
    for _ in range(times):
        assert client.get(reverse("catalog:detail", args=[item.pk])).status_code == 200


def test_guides_read_count_as_use_without_any_application(client, world):
    _read(client, world.local_only, 3)
    _read(client, world.relief, 1)
    assert popular_item_ids()[:2] == [world.local_only.pk, world.relief.pk]
    links = popular_service_links(client.get("/").content.decode())
    assert links[:2] == [str(world.local_only.pk), str(world.relief.pk)]


def test_applications_and_reading_are_merged_by_their_ranks(client, world, submit):
    for _ in range(2):
        submit(item=world.relief)
    submit(item=world.local_only)
    _read(client, world.food, 5)
    _read(client, world.local_only, 3)
    # applied: relief, local_only; read: food, local_only. local_only is second in both
    # and comes first; relief and food are first in one list each: the application wins.
    assert popular_item_ids()[:3] == [world.local_only.pk, world.relief.pk, world.food.pk]


def test_the_home_page_reads_its_popular_lists_from_the_cache(client, world):
    client.get("/")
    _read(client, world.local_only, 3)
    links = popular_service_links(client.get("/").content.decode())
    # the cached list (catalogue order: nothing was used yet), not aggregated again
    assert links == [str(i.pk) for i in featured_items(limit=8)]
    assert links[0] != str(world.local_only.pk)
    cache.clear()
    links = popular_service_links(client.get("/").content.decode())
    assert links[0] == str(world.local_only.pk)
