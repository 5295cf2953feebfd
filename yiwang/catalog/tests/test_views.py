import pytest
from django.urls import reverse

from yiwang.catalog import actions
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.catalog.process import default_process

from .conftest import FOOD_MATERIALS, PASSWORD, food_fields

pytestmark = pytest.mark.django_db


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_published_items_are_listed_and_drafts_are_not(client, published_food, depts, authority):
    draft = actions.create_item(
        actor=authority, **food_fields(depts, name="食品经营许可（延续）", handling_kind="renewal")
    )
    response = client.get(reverse("catalog:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "食品经营许可（新办）" in html
    assert draft.name not in html
    assert client.get(reverse("catalog:detail", args=[draft.pk])).status_code == 404


def test_withdraw_removes_from_public_pages(client, published_food, authority):
    actions.withdraw_item(actor=authority, item=published_food, reason="依法调整")
    assert "食品经营许可（新办）" not in client.get(reverse("catalog:index")).content.decode()
    assert client.get(reverse("catalog:detail", args=[published_food.pk])).status_code == 404


def test_filters(
    client, published_food, depts, authority, towns, django_capture_on_commit_callbacks
):
    town_item = actions.create_item(
        actor=authority,
        **food_fields(
            depts,
            name="临时救助（高陂镇）",
            department=depts["gaobei"],
            item_type="JF",
            main_number="00406",
            sub_number="000",
            aliases="",
            audience="person",
            county_wide=False,
            online_depth=2,
        ),
    )
    actions.set_process(actor=authority, item=town_item, steps=default_process(town_item))
    with django_capture_on_commit_callbacks(execute=True):
        actions.publish_item(actor=authority, item=town_item)
    url = reverse("catalog:index")

    def names(**params):
        return {i.name for i in client.get(url, params).context["page"].object_list}

    both = {"食品经营许可（新办）", "临时救助（高陂镇）"}
    assert names() == both
    assert names(department=depts["gaobei"].pk) == {"临时救助（高陂镇）"}
    assert names(audience="enterprise") == {"食品经营许可（新办）"}
    assert names(audience="person") == both
    assert names(depth=2) == {"临时救助（高陂镇）"}
    assert names(town="441422103") == both  # the town's own items and 全县通办 county items
    assert names(town="441422100") == {"食品经营许可（新办）"}


def test_guide_page_shows_every_element(client, published_food):
    item = published_food
    response = client.get(reverse("catalog:detail", args=[item.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        item.name,
        item.basic_code,
        item.implementation_code,
        "行政许可",
        "大埔县市场监督管理局",
        "《中华人民共和国食品安全法》第三十五条",
        "在大埔县行政区域内从事食品销售和餐饮服务的经营者",
        "具有与经营的食品品种、数量相适应的经营场所",
        # materials with form, count, required, replaceable
        "食品经营许可申请书",
        "原件",
        "复印件",
        "营业执照",
        "可用电子证照免提交",
        "可用共享数据免提交",
        "经营场所平面图",
        "选交",
        # flow chart and steps
        'class="steps flow-chart"',
        "网上或窗口提交申请",
        "受理",
        "审查",
        "决定",
        # limits, fees, depth, visits, contacts, place, channels, scope, downloads
        "法定办结时限",
        "20个工作日",
        "承诺办结时限",
        "5个工作日",
        "不收费",
        "全程网办",
        "零跑动",
        "0753-5522315",
        "0753-12345",
        "大埔县政务服务中心 1-6 号综合受理窗口",
        "PC端、移动端、窗口",
        "全县通办",
        "食品经营许可申请书",
        "/static/catalog/forms/food.docx",
    ]:
        assert text in html, text
    assert (
        f'href="/cases/apply/{item.pk}/"' in html or reverse("cases:apply", args=[item.pk]) in html
    )


def test_instant_item_shows_jiban(client, published_food, authority):
    actions.update_item(actor=authority, item=published_food, promised_limit=0)
    html = client.get(reverse("catalog:detail", args=[published_food.pk])).content.decode()
    assert "即办件" in html


def test_back_office_forbidden_for_others(client, reviewer_scj, published_food):
    assert client.get(reverse("catalog:manage")).status_code == 302  # anonymous → login
    _login(client, reviewer_scj)
    for name, args in [
        ("catalog:manage", []),
        ("catalog:manage_create", []),
        ("catalog:manage_export", []),
        ("catalog:manage_import", []),
        ("catalog:manage_edit", [published_food.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    response = client.post(
        reverse("catalog:manage_withdraw", args=[published_food.pk]), {"reason": "x"}
    )
    assert response.status_code == 403
    published_food.refresh_from_db()
    assert published_food.status == ItemStatus.PUBLISHED


def test_back_office_is_scoped_to_department(client, admin_mzj, admin_scj, published_food):
    _login(client, admin_mzj)
    response = client.get(reverse("catalog:manage"))
    assert response.status_code == 200
    assert "食品经营许可" not in response.content.decode()
    assert client.get(reverse("catalog:manage_edit", args=[published_food.pk])).status_code == 404
    client.logout()
    _login(client, admin_scj)
    assert "食品经营许可" in client.get(reverse("catalog:manage")).content.decode()


def _post_data(item_type, dept, region, **overrides):
    data = {
        "name": "公共场所卫生许可",
        "aliases": "理发店,美容院",
        "item_type": item_type.pk,
        "main_number": "00201",
        "sub_number": "000",
        "node_level": "handling",
        "handling_kind": "new",
        "level_code": "4",
        "department": dept.pk,
        "competent_department": "",
        "region": region.pk,
        "legal_basis": "《公共场所卫生管理条例》第八条",
        "audience": "both",
        "scope": "经营者",
        "conditions": "有卫生设施",
        "procedure": "申请：网上提交\n受理\n决定",
        "statutory_limit": "20",
        "promised_limit": "3",
        "fees": "不收费",
        "fee_basis": "",
        "online_depth": "3",
        "visits": "0",
        "consult_phone": "0753-5522380",
        "complaint_phone": "12345",
        "location": "大埔县政务服务中心",
        "channels": ["PC端", "窗口"],
        "county_wide": "on",
        "downloads": "申请表 | /static/a.docx",
        "form_schema": '{"properties": {"shop": {"type": "string", "title": "店名"}}, "required": ["shop"]}',
        "materials-TOTAL_FORMS": "2",
        "materials-INITIAL_FORMS": "0",
        "materials-MIN_NUM_FORMS": "0",
        "materials-MAX_NUM_FORMS": "50",
        "materials-0-name": "公共场所卫生许可申请表",
        "materials-0-form": "electronic",
        "materials-0-count": "1",
        "materials-0-required": "on",
        "materials-0-source": "申请人自备",
        "materials-0-replaceable_by": "",
        "materials-1-name": "",
        "materials-1-form": "electronic",
        "materials-1-count": "1",
        "materials-1-source": "申请人自备",
    }
    data.update(overrides)
    return data


def test_create_publish_withdraw_through_back_office(
    client, admin_scj, depts, item_types, county, django_capture_on_commit_callbacks
):
    _login(client, admin_scj)
    response = client.post(
        reverse("catalog:manage_create"), _post_data(item_types["XK"], depts["scj"], county)
    )
    assert response.status_code == 302, (
        response.context["form"].errors,
        response.context["formset"].errors,
        response.context["formset"].non_form_errors(),
    )
    item = ServiceItem.objects.get(name="公共场所卫生许可")
    assert item.status == ItemStatus.DRAFT
    assert list(item.materials.values_list("name", flat=True)) == ["公共场所卫生许可申请表"]
    assert item.active_process().steps == default_process(item)
    assert item.procedure[0] == {"name": "申请", "description": "网上提交"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("catalog:manage_publish", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    assert "公共场所卫生许可" in client.get(reverse("catalog:index")).content.decode()
    client.post(reverse("catalog:manage_withdraw", args=[item.pk]), {"reason": "暂停受理"})
    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN
    assert item.withdrawn_reason == "暂停受理"


def test_back_office_shows_errors_and_writes_nothing(client, admin_scj, depts, item_types, county):
    _login(client, admin_scj)
    data = _post_data(
        item_types["XK"],
        depts["scj"],
        county,
        promised_limit="30",
        form_schema="{bad json",
    )
    # one step only: a process without acceptance, decision and conclusion
    data.update(
        {
            "steps-TOTAL_FORMS": "1",
            "steps-INITIAL_FORMS": "0",
            "steps-0-name": "审查",
            "steps-0-kind": "review",
            "steps-0-role": "reviewer",
            "steps-0-limit_days": "3",
        }
    )
    response = client.post(reverse("catalog:manage_create"), data)
    assert response.status_code == 200
    assert "不是有效的 JSON" in " ".join(response.context["form"].errors["form_schema"])
    data["form_schema"] = ""
    response = client.post(reverse("catalog:manage_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "不能超过法定时限" in " ".join(errors["promised_limit"])
    assert not ServiceItem.objects.exists()
    assert "受理" in " ".join(response.context["steps"].non_form_errors())
    data["promised_limit"] = "3"
    response = client.post(reverse("catalog:manage_create"), data)
    assert response.status_code == 200
    assert "受理" in " ".join(response.context["steps"].non_form_errors())
    assert not ServiceItem.objects.exists()
    # a department admin cannot create items for another department
    data["department"] = depts["mzj"].pk
    for key in [k for k in data if k.startswith("steps-")]:
        del data[key]
    response = client.post(reverse("catalog:manage_create"), data)
    assert response.status_code == 200
    assert "department" in response.context["form"].errors
    assert not ServiceItem.objects.exists()


def test_manage_edit_page_renders(client, admin_scj, food_item):
    _login(client, admin_scj)
    response = client.get(reverse("catalog:manage_edit", args=[food_item.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "食品经营许可申请书" in html
    steps = response.context["steps"]
    assert [f["name"].value() for f in steps.forms[: steps.initial_form_count()]] == [
        "受理",
        "审查",
        "决定",
        "办结",
    ]
    assert 'data-testid="form-builder"' in html
    assert len(FOOD_MATERIALS) == response.context["formset"].initial_form_count()


def test_printable_application_form(client, published_food):
    response = client.get(reverse("catalog:form_pdf", args=[published_food.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    html = client.get(reverse("catalog:detail", args=[published_food.pk])).content.decode()
    assert reverse("catalog:form_pdf", args=[published_food.pk]) in html


def test_list_query_count_does_not_grow(
    client, published_food, depts, authority, django_assert_max_num_queries
):
    client.get(reverse("catalog:index"))  # warm caches (sessions, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("catalog:index"))
    for n in range(5):
        item = actions.create_item(
            actor=authority, **food_fields(depts, name=f"事项{n}", main_number=f"{n + 100:05d}")
        )
        actions.set_process(actor=authority, item=item, steps=default_process(item))
        actions.publish_item(actor=authority, item=item)
    with CaptureQueriesContext(connection) as six:
        response = client.get(reverse("catalog:index"))
    assert len(response.context["page"].object_list) == 6
    assert len(six) == len(one)
