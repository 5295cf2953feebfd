"""The application forms (online and at the window): each error once, next to its input and
linked to it; refusals that do not depend on the form shown before the form; the banner says
fields are marked only when some are."""

import re

import pytest
from django.urls import reverse

from yiwang.cases.models import Case
from yiwang.catalog import actions as catalog
from yiwang.catalog.models import ItemType

from .conftest import STEPS, pdf_file

pytestmark = pytest.mark.django_db

SCHEMA = {
    "type": "object",
    "properties": {
        "shop_name": {"type": "string", "title": "经营者名称", "maxLength": 50},
        "staff": {
            "type": "integer",
            "title": "从业人员数",
            "minimum": 1,
            "description": "含经营者本人",
        },
        "promise": {"type": "boolean", "title": "我承诺所填信息真实", "const": True},
    },
    "required": ["shop_name", "staff", "promise"],
}


def make_item(world, name="卫生许可", main="00031", **fields):
    item = catalog.create_item(
        actor=world.admin,
        name=name,
        item_type=ItemType.objects.get(code="XK"),
        main_number=main,
        sub_number="000",
        competent_department=world.scj,
        department=world.scj,
        region=world.dabu,
        legal_basis="《公共场所卫生管理条例》",
        statutory_limit=20,
        promised_limit=5,
        form_schema=fields.pop("form_schema", SCHEMA),
        conditions="持有营业执照",
        consult_phone="0753-5522001",
        complaint_phone="12345",
        location="大埔县政务服务中心",
        channels=["PC端", "窗口"],
        **fields,
    )
    catalog.set_materials(actor=world.admin, item=item, materials=[{"name": "申请书"}])
    catalog.set_process(actor=world.admin, item=item, steps=STEPS)
    catalog.publish_item(actor=world.admin, item=item)
    item.refresh_from_db()
    return item


def error_lists(html: str) -> dict[str, list[str]]:
    """Every field's error list: {element id: [messages]}."""
    lists = re.findall(
        r'<ul class="errorlist field-error" id="([^"]+)"[^>]*>(.*?)</ul>', html, re.S
    )
    return {i: re.findall(r"<li>(.*?)</li>", body, re.S) for i, body in lists}


def described_ids(html: str) -> list[str]:
    return [i for v in re.findall(r'aria-describedby="([^"]+)"', html) for i in v.split()]


def post_apply(client, item, **data):
    return client.post(
        reverse("cases:apply", args=[item.pk]),
        {"submission_key": "k1", "intent": "submit", "item_version": item.version, **data},
    )


def test_each_field_error_is_shown_once(client, world):
    item = make_item(world)
    client.force_login(world.citizen)
    response = post_apply(client, item, **{"f-shop_name": "客家小馆", "f-staff": "0"})
    assert response.status_code == 200 and not Case.objects.exists()
    errors = error_lists(response.content.decode())
    assert len(errors["id_f-staff_error"]) == 1
    assert len(errors["id_f-promise_error"]) == 1  # the unticked box: one message, not two
    assert len(errors[f"err_material_{item.materials.get().pk}"]) == 1
    assert "id_f-shop_name_error" not in errors


def test_aria_describedby_points_at_elements_that_exist(client, world):
    item = make_item(world)
    client.force_login(world.citizen)
    html = post_apply(client, item, **{"f-staff": "abc"}).content.decode()
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    described = described_ids(html)
    assert "id_f-staff_error" in described and "id_f-staff_helptext" in described
    assert all(i in ids for i in described), set(described) - ids
    # also on the unbound form (help texts only)
    html = client.get(reverse("cases:apply", args=[item.pk])).content.decode()
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    assert "id_f-staff_helptext" in described_ids(html)
    assert all(i in ids for i in described_ids(html))


def test_banner_says_fields_are_marked_only_when_some_are(client, world):
    item = make_item(world)
    client.force_login(world.citizen)
    response = post_apply(client, item, **{"f-staff": "0"})
    assert response.context["failed"] and response.context["fields_marked"]
    # A complete form for an outdated guide: refused, but no field is marked.
    data = {
        "f-shop_name": "客家小馆",
        "f-staff": "2",
        "f-promise": "on",
        f"material_{item.materials.get().pk}": pdf_file(),
        "item_version": item.version + 7,
    }
    response = post_apply(client, item, **data)
    assert response.context["failed"] and not response.context["fields_marked"]
    assert response.context["general_errors"]
    assert 'data-testid="field-error"' not in response.content.decode()
    assert not Case.objects.exists()


def test_a_complete_form_is_submitted(client, world):
    item = make_item(world)
    client.force_login(world.citizen)
    data = {
        "f-shop_name": "客家小馆",
        "f-staff": "2",
        "f-promise": "on",
        f"material_{item.materials.get().pk}": pdf_file(),
    }
    response = post_apply(client, item, **data)
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.form_values()["promise"] is True


def test_intake_errors_are_shown_once_and_linked(client, world):
    item = make_item(world)
    client.force_login(world.window_huliao)
    response = client.post(
        reverse("cases:intake_form", args=[item.pk]),
        {
            "hall": world.hall_huliao.pk,
            "applicant_name": "",
            "applicant_id_number": "123",
            "applicant_phone": "13912345678",
            "f-staff": "0",
            "submission_key": "w1",
        },
    )
    html = response.content.decode()
    errors = error_lists(html)
    assert len(errors["id_f-staff_error"]) == 1
    assert len(errors["i_name_error"]) == 1 and len(errors["i_id_error"]) == 1
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    assert all(i in ids for i in described_ids(html))
    assert response.context["fields_marked"] and not Case.objects.exists()


# --- refusals that do not depend on the form ----------------------------------------------


def test_window_only_item_is_refused_before_the_form(client, world):
    item = make_item(world, online_depth=1)
    client.force_login(world.citizen)
    response = client.get(reverse("cases:apply", args=[item.pk]))
    html = response.content.decode()
    assert 'data-testid="apply-refusal"' in html
    assert 'type="file"' not in html and 'name="submission_key"' not in html
    assert item.name in response.context["refusal"]
    # The POST is refused the same way and writes nothing.
    response = post_apply(client, item, **{"f-shop_name": "x", "f-staff": "1", "f-promise": "on"})
    assert 'data-testid="apply-refusal"' in response.content.decode()
    assert not Case.objects.exists()


def test_enterprise_only_item_is_refused_to_a_citizen_before_the_form(client, world):
    item = make_item(world, audience="enterprise")
    client.force_login(world.citizen)
    html = client.get(reverse("cases:apply", args=[item.pk])).content.decode()
    assert 'data-testid="apply-refusal"' in html and 'type="file"' not in html


def test_open_item_shows_the_form(client, world):
    client.force_login(world.citizen)
    html = client.get(reverse("cases:apply", args=[world.food.pk])).content.decode()
    assert 'data-testid="apply-refusal"' not in html and 'type="file"' in html


def test_intake_of_an_item_not_handled_at_this_hall_is_refused_before_the_form(client, world):
    client.force_login(world.window_huliao)  # 湖寮 hall; the item is 高陂镇's, not county-wide
    url = reverse("cases:intake_form", args=[world.local_only.pk])
    response = client.get(url)
    html = response.content.decode()
    assert 'data-testid="intake-refusal"' in html and 'type="file"' not in html
    assert world.gaobei.name in response.context["refusal"]
    response = client.post(url, {"hall": world.hall_huliao.pk, "submission_key": "x"})
    assert 'data-testid="intake-refusal"' in response.content.decode()
    assert not Case.objects.exists()


def test_intake_of_an_enterprise_item_is_refused_before_the_form(client, world):
    item = make_item(world, audience="enterprise")
    client.force_login(world.window_huliao)
    html = client.get(reverse("cases:intake_form", args=[item.pk])).content.decode()
    assert 'data-testid="intake-refusal"' in html and 'type="file"' not in html


def test_intake_form_for_a_county_wide_item_is_shown(client, world):
    client.force_login(world.window_huliao)
    html = client.get(reverse("cases:intake_form", args=[world.relief.pk])).content.decode()
    assert 'data-testid="intake-refusal"' not in html and 'type="file"' in html


def test_every_ticked_choice_of_a_multiple_choice_is_kept_and_shown(client, world):
    schema = {
        "type": "object",
        "properties": {
            "services": {
                "type": "array",
                "title": "经营项目",
                "items": {"type": "string", "enum": ["外卖", "堂食", "配送"]},
                "uniqueItems": True,
            }
        },
        "required": ["services"],
    }
    item = make_item(world, form_schema=schema)
    client.force_login(world.citizen)
    data = {"f-services": ["外卖", "配送"], f"material_{item.materials.get().pk}": pdf_file()}
    post_apply(client, item, **data)
    case = Case.objects.get()
    assert case.form_values()["services"] == ["外卖", "配送"]
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "外卖、配送" in page and "['" not in page
