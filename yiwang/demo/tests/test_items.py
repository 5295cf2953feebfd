import pytest

from yiwang.audit.actors import SystemActor
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.demo import items as demo_items
from yiwang.demo.loader import load_demo

pytestmark = pytest.mark.django_db


def test_demo_items_load_idempotently(client, django_capture_on_commit_callbacks):
    load_demo(with_items=False)
    with django_capture_on_commit_callbacks(execute=True):
        created = demo_items.load_items(SystemActor("demo"))
    assert created == len(demo_items.ITEMS) >= 32
    assert demo_items.load_items(SystemActor("demo")) == 0
    published = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
    assert published.count() == created
    assert published.values("department").distinct().count() >= 12
    food = published.get(name="食品经营许可（新办）")
    for alias in ["开饭店", "开餐馆", "餐饮店", "小吃店", "饭馆", "奶茶店", "食品店"]:
        assert alias in food.aliases.split(",")
    assert (food.statutory_limit, food.promised_limit) == (20, 5)
    assert "现场核查" in [s["name"] for s in food.active_process().steps]
    assert food.region.code == "441422"
    gaobei = published.get(name="农村宅基地用地审批")
    assert gaobei.region.name == "高陂镇"
    assert gaobei.level_code == "5"
    assert published.get(name="医保异地就医备案").promised_limit == 0
    for item in published.prefetch_related("materials"):
        assert 2 <= len(item.materials.all()) <= 6, item.name
        assert 3 <= len(item.form_schema["properties"]) <= 8, item.name
        assert item.active_process() is not None

    # everyday questions find the right guide first
    for question, expected in [
        ("开饭店要办什么证", "食品经营许可（新办）"),
        ("给宝宝上户口", "出生登记"),
        ("异地就医", "医保异地就医备案"),
        ("开个小店", "个体工商户设立登记"),
        ("领结婚证", "结婚登记"),
    ]:
        page = client.get("/services/", {"q": question}).context["page"]
        assert page.object_list[0].name == expected, (question, [i.name for i in page])


def test_demo_market_items_file_cases_where_the_shop_is():
    market = [spec for spec in demo_items.ITEMS if spec["dept"] == "scj"]
    assert market
    for spec in market:
        source, field = demo_items._case_region(spec)
        assert source in ("premises", "hall")
        if source == "premises":
            assert field in spec["form"]["properties"]
    food = next(spec for spec in market if spec["name"] == "食品经营许可（新办）")
    assert demo_items._case_region(food) == ("premises", "premises")
    other = next(spec for spec in demo_items.ITEMS if spec["dept"] != "scj")
    assert demo_items._case_region(other) == ("item", "")
