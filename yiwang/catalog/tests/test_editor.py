"""The item editor's form builder and process editor, driven like a browser without scripts.

``page_data`` reads the editor page's forms back as the POST a browser would send when the
user changes nothing; each test then changes what a user would change.
"""

import copy
import json

import pytest
from django import forms
from django.urls import reverse

from yiwang.audit.models import AuditEntry
from yiwang.catalog import actions
from yiwang.catalog.editor_fields import rows_from_schema, schema_from_rows
from yiwang.catalog.forms_schema import normalize_schema
from yiwang.catalog.models import ItemStatus, ProcessDefinition, ServiceItem
from yiwang.catalog.process import default_process
from yiwang.demo import items as demo_items

from .conftest import FOOD_SCHEMA, PASSWORD, USCC

pytestmark = pytest.mark.django_db


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _form_data(form) -> dict:
    out = {}
    for bound in form:
        value = bound.value()
        if isinstance(bound.field.widget, forms.CheckboxInput):
            if value:
                out[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            out[bound.html_name] = [str(v) for v in value]
        elif value is not None:
            out[bound.html_name] = str(value)
    return out


def page_data(response) -> dict:
    """The POST a browser sends for the editor page as shown."""
    context = response.context
    data = _form_data(context["form"])
    for name in ("formset", "fields", "steps"):
        formset = context[name]
        data.update(_form_data(formset.management_form))
        for form in formset:
            data.update(_form_data(form))
    return data


def edit_url(item):
    return reverse("catalog:manage_edit", args=[item.pk])


def open_editor(client, item):
    response = client.get(edit_url(item))
    assert response.status_code == 200
    return page_data(response)


def add_row(data: dict, prefix: str, values: dict) -> int:
    """Fill the formset's empty row and add a new empty one, as saving would."""
    index = int(data[f"{prefix}-TOTAL_FORMS"]) - 1
    for key, value in values.items():
        data[f"{prefix}-{index}-{key}"] = value
    return index


def step_rows(data: dict) -> list[int]:
    total = int(data["steps-TOTAL_FORMS"])
    return [i for i in range(total) if data.get(f"steps-{i}-name")]


@pytest.fixture
def editor(client, admin_scj, food_item):
    _login(client, admin_scj)
    return food_item


# --- the builder's rows and the schema ----------------------------------------------


def test_rows_round_trip_every_demo_schema_and_the_food_schema():
    schemas = [normalize_schema(FOOD_SCHEMA)]
    schemas += [normalize_schema(spec["form"]) for spec in demo_items.ITEMS if spec.get("form")]
    keep = {
        "type": "object",
        "properties": {
            "n": {"type": "integer", "title": "人数", "enum": [1, 2], "default": 1},
            "long": {"type": "string", "title": "说明", "x-widget": "textarea", "maxLength": 500},
            "more": {
                "type": "array",
                "title": "附加服务",
                "items": {"type": "string", "enum": ["外卖", "堂食"]},
                "uniqueItems": True,
            },
            "ok": {"type": "boolean", "title": "承诺", "const": True},
        },
        "required": ["n"],
        "x-order": ["long", "n", "more", "ok"],
    }
    for schema in [*schemas, keep]:
        rows = rows_from_schema(schema)
        for row in rows:
            row["extra_data"] = json.loads(row["extra"]) if row["extra"] else {}
        assert schema_from_rows(rows, schema) == schema, schema


def test_editor_shows_a_row_per_form_field_and_per_step(client, editor):
    response = client.get(edit_url(editor))
    html = response.content.decode()
    fields = response.context["fields"]
    assert fields.initial_form_count() == len(FOOD_SCHEMA["properties"])
    assert [f["key"].value() for f in fields.forms[:2]] == ["operator_name", "premises"]
    assert response.context["steps"].initial_form_count() == 4
    assert (
        html.count('data-testid="field-row"') == len(FOOD_SCHEMA["properties"]) + 2
    )  # +1, template
    assert 'data-testid="process-editor"' in html
    assert "catalog/editor.js" in html


def test_unchanged_page_saves_without_a_new_process_version(client, editor):
    data = open_editor(client, editor)
    response = client.post(edit_url(editor), data)
    assert response.status_code == 302, response.context["form"].errors
    editor.refresh_from_db()
    assert editor.form_schema == normalize_schema(FOOD_SCHEMA)
    assert ProcessDefinition.objects.filter(item=editor).count() == 1


def test_add_a_resident_id_field_through_the_builder(client, editor, admin_scj):
    data = open_editor(client, editor)
    add_row(
        data,
        "fields",
        {
            "key": "holder_id",
            "title": "经营者身份证号",
            "kind": "text",
            "required": "on",
            "format": "resident-id",
            "description": "18 位居民身份证号码",
        },
    )
    response = client.post(edit_url(editor), data)
    assert response.status_code == 302, response.context["fields"].errors
    editor.refresh_from_db()
    prop = editor.form_schema["properties"]["holder_id"]
    assert prop == {
        "type": "string",
        "title": "经营者身份证号",
        "format": "resident-id",
        "description": "18 位居民身份证号码",
    }
    assert "holder_id" in editor.form_schema["required"]
    assert editor.form_schema["x-order"][-1] == "holder_id"
    entry = AuditEntry.objects.filter(action="catalog.update_item").latest("seq")
    assert entry.object_id == str(editor.pk)
    assert entry.actor_id == admin_scj.pk
    assert "holder_id" in json.dumps(entry.summary, ensure_ascii=False)


def test_reorder_delete_choices_and_generated_names(client, editor):
    data = open_editor(client, editor)
    # premises first, category removed, a multiple-choice field without a name added
    data["fields-0-ORDER"], data["fields-1-ORDER"] = "2", "1"
    data["fields-2-DELETE"] = "on"
    add_row(
        data,
        "fields",
        {"title": "附加服务", "kind": "multichoice", "choices": "外卖\n 堂食 \n\n", "ORDER": ""},
    )
    response = client.post(edit_url(editor), data)
    assert response.status_code == 302, response.context["fields"].errors
    editor.refresh_from_db()
    order = editor.form_schema["x-order"]
    assert order[:2] == ["premises", "operator_name"]
    assert "category" not in editor.form_schema["properties"]
    assert "category" not in editor.form_schema["required"]
    assert order[-1] == "field_1"
    assert editor.form_schema["properties"]["field_1"]["items"]["enum"] == ["外卖", "堂食"]


@pytest.mark.parametrize(
    ("values", "where", "fragment"),
    [
        ({"key": "名称", "title": "名称"}, "key", ""),
        ({"key": "premises", "title": "重复"}, "key", "premises"),
        ({"key": "kind", "title": "类别", "kind": "choice"}, "choices", ""),
        ({"key": "n", "title": "人数", "kind": "integer", "max_length": "5"}, "max_length", ""),
        ({"key": "n", "title": "人数", "kind": "integer", "minimum": "1.5"}, "minimum", ""),
        (
            {"key": "n", "title": "人数", "kind": "integer", "minimum": "9", "maximum": "1"},
            None,
            "",
        ),
        ({"key": "p", "title": "编号", "pattern": "("}, None, "pattern"),
        ({"key": "p", "title": "编号", "kind": "date", "format": "mobile"}, "format", ""),
        ({"key": "p", "title": ""}, "title", ""),
        ({"key": "c", "title": "类别", "kind": "choice", "choices": "甲\n乙\n甲"}, None, "c"),
    ],
)
def test_bad_rows_are_refused_on_the_row(client, editor, values, where, fragment):
    data = open_editor(client, editor)
    index = add_row(data, "fields", {"kind": "text", **values})
    response = client.post(edit_url(editor), data)
    assert response.status_code == 200
    row = response.context["fields"].forms[index]
    messages = row.errors.get(where or "__all__")
    assert messages, row.errors
    assert fragment in " ".join(messages)
    editor.refresh_from_db()
    assert editor.form_schema == normalize_schema(FOOD_SCHEMA)


# --- the expert JSON ------------------------------------------------------------------


def test_json_edit_is_used_and_its_errors_come_with_the_other_errors(client, editor):
    data = open_editor(client, editor)
    schema = copy.deepcopy(normalize_schema(FOOD_SCHEMA))
    schema["properties"]["staff_count"]["minimum"] = 10
    schema["properties"]["staff_count"]["maximum"] = 2
    data["form_schema"] = json.dumps(schema, ensure_ascii=False)
    data["name"] = ""
    response = client.post(edit_url(editor), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "name" in errors
    assert "最小值大于最大值" in " ".join(errors["form_schema"])
    assert response.context["json_open"]
    # fixed: the JSON wins over the unchanged field list
    schema["properties"]["staff_count"]["maximum"] = 200
    data["form_schema"] = json.dumps(schema, ensure_ascii=False)
    data["name"] = "食品经营许可（新办）"
    response = client.post(edit_url(editor), data)
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.form_schema["properties"]["staff_count"]["maximum"] == 200


def test_changing_both_the_json_and_the_field_list_is_refused(client, editor):
    data = open_editor(client, editor)
    data["form_schema"] = "{}"
    data["fields-0-title"] = "经营者"
    response = client.post(edit_url(editor), data)
    assert response.status_code == 200
    assert response.context["form"].errors["form_schema"]
    editor.refresh_from_db()
    assert editor.form_schema == normalize_schema(FOOD_SCHEMA)


def test_schema_errors_show_in_the_first_round_with_field_errors(client, editor):
    """Regression: schema errors used to come one round after the other field errors."""
    data = open_editor(client, editor)
    data["form_schema"] = '{"properties": {"a": {"type": "string"}}}'
    data["promised_limit"] = "30"  # more than the statutory 20
    data["main_number"] = "12"
    response = client.post(edit_url(editor), data)
    errors = response.context["form"].errors
    assert {"form_schema", "main_number"} <= set(errors)
    assert "title" in " ".join(errors["form_schema"])


# --- the process editor ---------------------------------------------------------------


def test_add_and_reorder_steps(client, editor, depts):
    data = open_editor(client, editor)
    assert step_rows(data) == [0, 1, 2, 3]
    data["steps-1-limit_days"] = "2"  # 审查 3 → 2 days to make room
    index = add_row(
        data,
        "steps",
        {
            "name": "联合审查",
            "kind": "review",
            "role": "reviewer",
            "department": USCC["mzj"],
            "limit_days": "1",
        },
    )
    # the new step goes after 审查: positions 1, 2, (new) 3, 4, 5
    for i, order in zip([0, 1, index, 2, 3], [1, 2, 3, 4, 5], strict=True):
        data[f"steps-{i}-ORDER"] = str(order)
    response = client.post(edit_url(editor), data)
    assert response.status_code == 302, response.context["steps"].non_form_errors()
    steps = editor.active_process().steps
    assert [s["name"] for s in steps] == ["受理", "审查", "联合审查", "决定", "办结"]
    assert steps[2] == {
        "key": "review_2",
        "name": "联合审查",
        "kind": "review",
        "role": "reviewer",
        "limit_days": 1,
        "department": USCC["mzj"],
    }
    assert sum(s["limit_days"] for s in steps) == editor.promised_limit
    assert AuditEntry.objects.filter(action="catalog.set_process").count() == 2


def test_steps_longer_than_the_promise_are_refused(client, editor):
    data = open_editor(client, editor)
    data["steps-1-limit_days"] = "9"
    response = client.post(edit_url(editor), data)
    assert response.status_code == 200
    message = " ".join(response.context["steps"].non_form_errors())
    assert "11" in message and "5" in message  # 1 + 9 + 1 + 0 days, promised 5
    assert ProcessDefinition.objects.filter(item=editor).count() == 1


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"steps-0-DELETE": "on"}, "受理"),
        ({"steps-2-kind": "review"}, "决定"),
        ({"steps-1-role": "auditor"}, "auditor"),
        ({"steps-1-limit_days": "-1"}, ""),
        ({"steps-1-name": ""}, ""),
    ],
)
def test_bad_steps_are_refused(client, editor, change, fragment):
    data = open_editor(client, editor)
    data.update(change)
    response = client.post(edit_url(editor), data)
    assert response.status_code == 200
    steps = response.context["steps"]
    text = " ".join(
        [*steps.non_form_errors(), *(str(e) for form in steps.forms for e in form.errors.values())]
    )
    assert text and fragment in text
    assert ProcessDefinition.objects.filter(item=editor).count() == 1


def test_no_steps_at_all_is_refused(client, editor):
    data = open_editor(client, editor)
    for i in step_rows(data):
        data[f"steps-{i}-DELETE"] = "on"
    response = client.post(edit_url(editor), data)
    assert response.status_code == 200
    assert response.context["steps"].non_form_errors()


def test_new_item_gets_the_default_process_fitted_to_its_promise(
    client, admin_scj, depts, item_types, county
):
    _login(client, admin_scj)
    data = page_data(client.get(reverse("catalog:manage_create")))
    data.update(
        {
            "name": "公共场所卫生许可",
            "item_type": str(item_types["XK"].pk),
            "main_number": "00201",
            "sub_number": "000",
            "department": str(depts["scj"].pk),
            "region": str(county.pk),
            "legal_basis": "《公共场所卫生管理条例》第八条",
            "audience": "both",
            "statutory_limit": "20",
            "promised_limit": "2",
        }
    )
    add_row(data, "fields", {"key": "shop", "title": "店名", "kind": "text", "required": "on"})
    response = client.post(reverse("catalog:manage_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    item = ServiceItem.objects.get(name="公共场所卫生许可")
    assert item.status == ItemStatus.DRAFT
    assert item.form_schema["required"] == ["shop"]
    steps = item.active_process().steps
    assert steps == default_process(item)
    assert [s["limit_days"] for s in steps] == [1, 0, 1, 0]


# --- who may use it --------------------------------------------------------------------


def test_other_departments_and_non_admins_cannot_post(
    client, food_item, admin_mzj, reviewer_scj, admin_scj
):
    _login(client, admin_scj)
    data = open_editor(client, food_item)
    data["name"] = "改名"
    client.logout()
    _login(client, admin_mzj)
    assert client.post(edit_url(food_item), data).status_code == 404
    client.logout()
    _login(client, reviewer_scj)
    assert client.post(edit_url(food_item), data).status_code == 403
    client.logout()
    assert client.post(edit_url(food_item), data).status_code == 302  # to the login page
    food_item.refresh_from_db()
    assert food_item.name == "食品经营许可（新办）"


def test_published_item_edit_is_audited_and_flagged(client, published_food, admin_scj):
    _login(client, admin_scj)
    data = open_editor(client, published_food)
    add_row(data, "fields", {"key": "note", "title": "备注", "kind": "textarea"})
    assert client.post(edit_url(published_food), data).status_code == 302
    published_food.refresh_from_db()
    assert published_food.changed_since_publish
    assert published_food.form_schema["properties"]["note"]["x-widget"] == "textarea"
    assert actions.publish_item(actor=admin_scj, item=published_food).version == 2


# --- where cases are filed ----------------------------------------------------------------


def test_editor_shows_the_case_region_setting(client, editor):
    response = client.get(edit_url(editor))
    html = response.content.decode()
    assert 'data-testid="case-region"' in html
    assert 'name="case_region_from"' in html and 'name="case_region_field"' in html
    data = page_data(response)
    assert data["case_region_from"] == "item"
    assert data["case_region_field"] == ""
    # the form's fields are offered as suggestions for the field name
    assert '<option value="premises">' in html


def test_cases_filed_in_the_town_of_the_premises_saved(client, editor, admin_scj):
    data = open_editor(client, editor)
    data["case_region_from"] = "premises"
    data["case_region_field"] = " premises "
    response = client.post(edit_url(editor), data)
    assert response.status_code == 302, response.context["form"].errors
    editor.refresh_from_db()
    assert (editor.case_region_from, editor.case_region_field) == ("premises", "premises")
    entry = AuditEntry.objects.filter(action="catalog.update_item").latest("seq")
    assert entry.actor_id == admin_scj.pk
    assert "case_region_field" in json.dumps(entry.summary, ensure_ascii=False)
    # shown again as saved
    data = open_editor(client, editor)
    assert (data["case_region_from"], data["case_region_field"]) == ("premises", "premises")


def test_wrong_case_region_field_is_shown_with_the_other_errors(client, editor):
    data = open_editor(client, editor)
    data["case_region_from"] = "premises"
    data["case_region_field"] = "shop_address"  # not a field of the form
    data["main_number"] = "12"
    response = client.post(edit_url(editor), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"case_region_field", "main_number"} <= set(errors)
    assert "shop_address" in " ".join(errors["case_region_field"])
    html = response.content.decode()
    assert 'id="id_case_region_field_error"' in html
    editor.refresh_from_db()
    assert (editor.case_region_from, editor.case_region_field) == ("item", "")
    assert editor.main_number == "00012"


def test_premises_without_a_field_name_is_refused(client, editor):
    data = open_editor(client, editor)
    data["case_region_from"] = "premises"
    response = client.post(edit_url(editor), data)
    assert response.status_code == 200
    assert response.context["form"].errors["case_region_field"]
    editor.refresh_from_db()
    assert editor.case_region_from == "item"


def test_deleting_the_field_that_names_the_town_is_refused_in_the_same_round(
    client, editor, authority
):
    actions.update_item(
        actor=authority, item=editor, case_region_from="premises", case_region_field="premises"
    )
    data = open_editor(client, editor)
    data["fields-1-DELETE"] = "on"  # premises
    data["promised_limit"] = "30"  # more than the statutory 20
    response = client.post(edit_url(editor), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"case_region_field", "promised_limit"} <= set(errors)
    editor.refresh_from_db()
    assert "premises" in editor.form_schema["properties"]


def test_a_post_without_the_case_region_keeps_it(client, editor, authority):
    """Scripts and pages that do not send the setting leave it as it is."""
    actions.update_item(
        actor=authority, item=editor, case_region_from="premises", case_region_field="premises"
    )
    data = open_editor(client, editor)
    del data["case_region_from"], data["case_region_field"]
    data["name"] = "食品经营许可（新办，改名）"
    response = client.post(edit_url(editor), data)
    assert response.status_code == 302, response.context["form"].errors
    editor.refresh_from_db()
    assert editor.name == "食品经营许可（新办，改名）"
    assert (editor.case_region_from, editor.case_region_field) == ("premises", "premises")


def test_other_departments_cannot_change_the_case_region(client, food_item, admin_scj, admin_mzj):
    _login(client, admin_scj)
    data = open_editor(client, food_item)
    data["case_region_from"] = "hall"
    client.logout()
    _login(client, admin_mzj)
    assert client.post(edit_url(food_item), data).status_code == 404
    food_item.refresh_from_db()
    assert food_item.case_region_from == "item"


def test_material_list_errors_come_in_the_first_round(client, editor):
    """Regression: a material listed twice was only refused by set_materials, one round after
    the other errors (and after a name error had been fixed)."""
    data = open_editor(client, editor)
    materials = int(data["materials-TOTAL_FORMS"])
    data[f"materials-{materials - 1}-name"] = "营业执照"  # already material 2
    data["name"] = ""
    response = client.post(edit_url(editor), data)
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert "营业执照" in " ".join(response.context["formset"].non_form_errors())
    assert editor.materials.count() == 4
