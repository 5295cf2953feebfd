"""A case is filed under the region where its matter is, as its item chooses: a shop in 湖寮镇
registered at the 湖寮 hall belongs to 湖寮镇, so the town's reviewers see and handle it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from yiwang.cases import actions, placement, queries
from yiwang.catalog import actions as catalog

from .conftest import pdf_file

pytestmark = pytest.mark.django_db

SCHEMA = {
    "type": "object",
    "properties": {
        "shop_name": {"type": "string", "title": "经营者名称", "maxLength": 50},
        "staff": {"type": "integer", "title": "从业人员数", "minimum": 1},
        "premises": {"type": "string", "title": "经营场所", "maxLength": 100},
    },
    "required": ["shop_name", "staff", "premises"],
}


@pytest.fixture
def shop_item(world):
    """The food licence (county 市场监管局) filed where the shop is."""
    item = catalog.update_item(
        actor=world.admin,
        item=world.food,
        form_schema=SCHEMA,
        case_region_from="premises",
        case_region_field="premises",
    )
    item.refresh_from_db()
    return item


def intake(world, item, premises, hall=None, key="w1"):
    case, _ = actions.window_intake(
        actor=world.window_huliao,
        item=item,
        hall=hall or world.hall_huliao,
        applicant_name="王芳",
        applicant_id_number="440524188001010014",
        applicant_phone="13900001111",
        form_data={"shop_name": "客家小馆", "staff": "2", "premises": premises},
        uploads={item.materials.get(name="申请书").pk: pdf_file()},
        submission_key=key,
    )
    return case


def test_town_named_in_an_address_or_by_code(world):
    assert placement.town_named(world.dabu, "大埔县湖寮镇同仁路8号") == world.huliao
    assert placement.town_named(world.dabu, "湖寮同仁路8号") == world.huliao  # without 镇
    assert placement.town_named(world.dabu, "441422103") == world.gaobei
    assert placement.town_named(world.dabu, "同仁路8号") is None
    assert placement.town_named(world.dabu, "湖寮镇或高陂镇") is None  # two towns: neither
    assert placement.town_named(world.huliao, "高陂镇") is None  # outside the item's region


def test_shop_registered_at_the_huliao_hall_is_filed_under_huliao(world, shop_item):
    case = intake(world, shop_item, "大埔县湖寮镇同仁路8号")
    assert case.region == world.huliao
    assert case.department == world.scj  # still the county department's case
    # The reviewer scoped to 湖寮镇 now sees it, in the list and in the queue, and may act.
    assert queries.visible_cases(world.reviewer_huliao).filter(pk=case.pk).exists()
    assert queries.inbox(world.reviewer_huliao).filter(pk=case.pk).exists()
    actions.pass_review(actor=world.reviewer_huliao, case=case, opinion="材料齐全")
    # The county reviewer still does; a 高陂镇 reviewer of the department would not.
    assert queries.visible_cases(world.reviewer).filter(pk=case.pk).exists()


def test_town_reviewer_sees_the_case_page_and_other_towns_do_not(client, world, shop_item):
    from yiwang.accounts import actions as accounts

    case = intake(world, shop_item, "湖寮镇环城路66号")
    post = {"role": "reviewer", "department": world.scj, "region": world.gaobei, "hall": None}
    gaobei_reviewer = accounts.create_staff(
        actor=world.admin,
        username="scj_gaobei",
        password="Dabu@2026.gov!",
        real_name="高陂审核员",
        posts=[post],
    )
    url = reverse("cases:detail", args=[case.pk])
    client.force_login(world.reviewer_huliao)
    assert client.get(url).status_code == 200
    client.force_login(gaobei_reviewer)
    assert client.get(url).status_code == 404


def test_premises_without_a_town_fall_back_to_the_hall_then_the_item(world, shop_item):
    assert intake(world, shop_item, "同仁路8号").region == world.huliao  # the 湖寮 hall
    online, _ = actions.submit_application(
        actor=world.citizen,
        item=shop_item,
        form_data={"shop_name": "x", "staff": "1", "premises": "同仁路8号"},
        uploads={shop_item.materials.get(name="申请书").pk: pdf_file()},
        submission_key="o1",
    )
    assert online.region == world.dabu  # no hall online: the item's region


def test_online_application_is_filed_under_the_premises_town(world, shop_item):
    case, _ = actions.submit_application(
        actor=world.citizen,
        item=shop_item,
        form_data={"shop_name": "x", "staff": "1", "premises": "高陂镇陶瓷大道1号"},
        uploads={shop_item.materials.get(name="申请书").pk: pdf_file()},
        submission_key="o2",
    )
    assert case.region == world.gaobei
    assert not queries.visible_cases(world.reviewer_huliao).filter(pk=case.pk).exists()


def test_hall_source_files_window_cases_under_the_hall(world):
    item = catalog.update_item(actor=world.admin, item=world.food, case_region_from="hall")
    case = intake(world, item, "")
    assert case.region == world.huliao


def test_default_keeps_the_items_region(world, submit):
    assert world.food.case_region_from == "item"
    case = intake(world, world.food, "大埔县湖寮镇同仁路8号")
    assert case.region == world.dabu
    assert not queries.visible_cases(world.reviewer_huliao).filter(pk=case.pk).exists()


def test_a_town_item_never_leaves_its_town(world):
    """高陂镇's item registered at the 湖寮 hall (全县通办) stays 高陂镇's."""
    item = catalog.update_item(actor=world.admin, item=world.relief, case_region_from="hall")
    case = intake(world, item, "")
    assert case.region == world.gaobei


def test_item_settings_are_validated(world):
    with pytest.raises(ValidationError) as exc:
        catalog.update_item(actor=world.admin, item=world.food, case_region_from="moon")
    assert "case_region_from" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        catalog.update_item(actor=world.admin, item=world.food, case_region_field="nope")
    assert "case_region_field" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        catalog.update_item(actor=world.admin, item=world.food, case_region_from="premises")
    assert "case_region_field" in exc.value.message_dict


def test_a_malformed_schema_is_reported_not_crashed_on(world):
    with pytest.raises(ValidationError) as exc:
        catalog.update_item(actor=world.admin, item=world.food, form_schema=["not", "an", "object"])
    assert "form_schema" in exc.value.message_dict
