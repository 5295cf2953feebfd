"""Search integration (yiwang.search.api): publishing indexes, withdrawing removes."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from yiwang.catalog import actions
from yiwang.catalog.process import default_process
from yiwang.search import api as search

from .conftest import food_fields

pytestmark = pytest.mark.django_db


def _publish(authority, depts, django_capture_on_commit_callbacks, **overrides):
    item = actions.create_item(actor=authority, **food_fields(depts, **overrides))
    actions.set_materials(actor=authority, item=item, materials=[{"name": "申请书"}])
    actions.set_process(actor=authority, item=item, steps=default_process(item))
    with django_capture_on_commit_callbacks(execute=True):
        actions.publish_item(actor=authority, item=item)
    return item


@pytest.fixture
def three(authority, depts, item_types, django_capture_on_commit_callbacks):
    return [
        _publish(
            authority,
            depts,
            django_capture_on_commit_callbacks,
            name="个体工商户设立登记",
            main_number="00101",
            sub_number="000",
            aliases="开店,个体户,营业执照",
            form_schema={},
        ),
        _publish(authority, depts, django_capture_on_commit_callbacks),  # 食品经营许可（新办）
        _publish(
            authority,
            depts,
            django_capture_on_commit_callbacks,
            name="公共场所卫生许可",
            main_number="00201",
            sub_number="000",
            aliases="理发店,美容院,宾馆",
            form_schema={},
        ),
    ]


def test_everyday_question_finds_food_licence_first(client, three):
    response = client.get(reverse("catalog:index"), {"q": "开饭店要办什么证"})
    assert response.status_code == 200
    items = list(response.context["page"].object_list)
    assert items[0].name == "食品经营许可（新办）"


def test_api_search_uses_the_index(client, three):
    body = client.get("/api/v1/catalog/items", {"q": "开饭店要办什么证"}).json()
    names = [i["name"] for i in body["items"]]  # matches, in id order (keyset pagination)
    assert "食品经营许可（新办）" in names
    body = client.get("/api/v1/catalog/items", {"q": "理发店"}).json()
    assert [i["name"] for i in body["items"]] == ["公共场所卫生许可"]


def test_withdraw_and_edit_update_the_index(three, authority, django_capture_on_commit_callbacks):
    food = three[1]
    assert search.search("开饭店", kind="item")[0].key == str(food.pk)
    assert not search.search("甜品铺", kind="item")
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_item(actor=authority, item=food, aliases="甜品铺")
    assert [h.key for h in search.search("甜品铺", kind="item")] == [str(food.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw_item(actor=authority, item=food, reason="暂停")
    assert all(h.key != str(food.pk) for h in search.search("甜品铺", kind="item"))


def test_reindex_command_rebuilds_published_items(three):
    search.remove_document("item", str(three[0].pk))
    call_command("search_reindex", "item")
    assert search.search("个体户", kind="item")[0].key == str(three[0].pk)
