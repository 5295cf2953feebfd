"""The search results' links (/services/<pk>/open/?q=) count the opened result, then show
the guide; the guide page counts its views. Nothing personal is kept and the link never
leads off the site."""

import pytest
from django.urls import reverse
from django.utils import timezone

from yiwang.catalog import actions
from yiwang.search.models import DocumentUse, QueryCount, ResultClick

from .conftest import food_fields

pytestmark = pytest.mark.django_db


def _open(client, pk, query):
    return client.get(reverse("catalog:open", args=[pk]), {"q": query})


def _searched(client, query):
    assert client.get(reverse("catalog:index"), {"q": query}).status_code == 200


def test_opening_a_result_counts_the_click_and_shows_the_guide(client, published_food):
    _searched(client, "开饭店")
    response = _open(client, published_food.pk, "开饭店")
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:detail", args=[published_food.pk])
    row = QueryCount.objects.get(query="开饭店")
    assert (row.count, row.clicks) == (1, 1)
    click = ResultClick.objects.get()
    assert (click.query, click.key, click.count) == ("开饭店", str(published_food.pk), 1)
    assert click.day == timezone.localdate()


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_the_link_never_leaves_the_site(client, published_food, target):
    guide = reverse("catalog:detail", args=[published_food.pk])
    for params in ({"q": "开饭店", "next": target}, {"q": target, "url": target}):
        response = client.get(reverse("catalog:open", args=[published_food.pk]), params)
        assert response.status_code == 302
        assert response["Location"] == guide


def test_clicks_on_drafts_unknown_items_or_unsearched_queries_are_not_counted(
    client, published_food, depts, authority
):
    draft = actions.create_item(
        actor=authority, **food_fields(depts, name="食品经营许可（延续）", handling_kind="renewal")
    )
    _searched(client, "开饭店")
    assert _open(client, draft.pk, "开饭店")["Location"] == reverse(
        "catalog:detail", args=[draft.pk]
    )
    assert _open(client, 999999, "开饭店").status_code == 302  # the guide page answers 404
    assert _open(client, published_food.pk, "没人搜过").status_code == 302
    assert _open(client, published_food.pk, "").status_code == 302
    assert not ResultClick.objects.exists()
    assert QueryCount.objects.get(query="开饭店").clicks == 0


def test_identifying_queries_are_never_recorded(client, published_food):
    for query in ("13800135678", "张三 441422198503121234", "someone@example.com"):
        _searched(client, query)
        _open(client, published_food.pk, query)
    assert not QueryCount.objects.exists()
    assert not ResultClick.objects.exists()


def test_only_get_is_allowed(client, published_food):
    response = client.post(reverse("catalog:open", args=[published_food.pk]), {"q": "开饭店"})
    assert response.status_code == 405


def test_guide_views_are_counted_for_published_items_only(
    client, published_food, food_item, depts, authority
):
    draft = actions.create_item(
        actor=authority, **food_fields(depts, name="食品经营许可（延续）", handling_kind="renewal")
    )
    for _ in range(2):
        assert client.get(reverse("catalog:detail", args=[published_food.pk])).status_code == 200
    client.force_login(authority)  # a staff preview of a draft is not a use
    assert client.get(reverse("catalog:detail", args=[draft.pk])).status_code == 200
    rows = list(DocumentUse.objects.values_list("kind", "key", "day", "views"))
    assert rows == [("item", str(published_food.pk), timezone.localdate(), 2)]
