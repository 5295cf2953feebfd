"""Window intake asks for the applicant's name and ID number once: the item form's fields that
hold them are filled from the applicant section, checked and stored encrypted like any other."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from yiwang.cases import actions
from yiwang.cases.models import Case
from yiwang.catalog import actions as catalog
from yiwang.catalog.models import ItemType
from yiwang.catalog.personal_formats import applicant_fields

from .conftest import STEPS, pdf_file

pytestmark = pytest.mark.django_db

SCHEMA = {
    "type": "object",
    "properties": {
        "applicant_name": {"type": "string", "title": "申请人姓名", "format": "person-name"},
        "id_number": {"type": "string", "title": "公民身份号码", "format": "resident-id"},
        "guardian_name": {"type": "string", "title": "监护人姓名", "format": "person-name"},
        "reason": {"type": "string", "title": "申请理由", "maxLength": 100},
    },
    "required": ["applicant_name", "id_number", "reason"],
}
ID_NUMBER = "441422198503121234"


@pytest.fixture
def item(world):
    item = catalog.create_item(
        actor=world.admin,
        name="残疾人证核发",
        item_type=ItemType.objects.get(code="XK"),
        main_number="00010",
        sub_number="000",
        competent_department=world.mzj,
        department=world.mzj,
        region=world.dabu,
        legal_basis="《残疾人残疾分类和分级》",
        statutory_limit=10,
        promised_limit=5,
        form_schema=SCHEMA,
        conditions="持有本县户籍",
        consult_phone="0753-5522001",
        complaint_phone="12345",
        location="大埔县政务服务中心",
        channels=["窗口"],
    )
    catalog.set_materials(actor=world.admin, item=item, materials=[{"name": "申请书"}])
    catalog.set_process(actor=world.admin, item=item, steps=STEPS)
    catalog.publish_item(actor=world.admin, item=item)
    item.refresh_from_db()
    return item


def _post(client, world, item, key, **changes):
    material = item.materials.get()
    data = {
        "hall": world.hall_huliao.pk,
        "applicant_name": "王大明",
        "applicant_id_number": ID_NUMBER,
        "applicant_phone": "13912345678",
        "f-reason": "申请办理残疾人证",
        "submission_key": key,
        f"material_{material.pk}": pdf_file(),
        **changes,
    }
    return client.post(reverse("cases:intake_form", args=[item.pk]), data)


def test_only_the_applicants_own_fields_are_linked():
    assert applicant_fields(SCHEMA) == {
        "applicant_name": "applicant_name",
        "applicant_id_number": "id_number",
    }
    holder = {"properties": {"holder": {"type": "string", "title": "经营者姓名"}}}
    assert applicant_fields(holder) == {}


def test_intake_form_asks_for_name_and_id_once(client, world, item):
    client.force_login(world.window_huliao)
    page = client.get(reverse("cases:intake_form", args=[item.pk])).content.decode()
    assert 'name="applicant_name"' in page and 'name="applicant_id_number"' in page
    assert 'name="f-applicant_name"' not in page and 'name="f-id_number"' not in page
    assert 'name="f-guardian_name"' in page and 'name="f-reason"' in page


def test_intake_fills_the_form_from_the_applicant_section_encrypted(client, world, item):
    client.force_login(world.window_huliao)
    response = _post(client, world, item, "once")
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    values = case.form_values()
    assert values["applicant_name"] == "王大明" and values["id_number"] == ID_NUMBER
    with connection.cursor() as cursor:
        cursor.execute("SELECT form_data, form_pii FROM cases_case WHERE id = %s", [case.pk])
        raw = " ".join(str(c) for c in cursor.fetchone())
    for secret in (ID_NUMBER, "王大明"):
        assert secret not in raw and json.dumps(secret)[1:-1] not in raw


def test_bad_name_is_reported_on_the_applicant_section_and_nothing_is_saved(client, world, item):
    client.force_login(world.window_huliao)
    response = _post(client, world, item, "bad", applicant_name="王2")
    assert response.status_code == 200 and not Case.objects.exists()
    assert response.context["field_errors"]["applicant_name"]
    assert "form_applicant_name" not in response.context["field_errors"]
    assert 'value="王2"' in response.content.decode()  # what was typed is kept


def test_action_checks_the_linked_fields_with_the_form_validators(world, item):
    material = item.materials.get()
    with pytest.raises(ValidationError) as exc:
        actions.window_intake(
            actor=world.window_huliao,
            item=item,
            hall=world.hall_huliao,
            applicant_name="王2",
            applicant_id_number=ID_NUMBER,
            applicant_phone="13912345678",
            form_data={"reason": "x"},
            uploads={material.pk: pdf_file()},
            submission_key="action-bad",
        )
    # Only the name is wrong; it is reported once, on the applicant section's field.
    assert set(exc.value.message_dict) == {"applicant_name"}
    assert len(exc.value.message_dict["applicant_name"]) == 1
    assert not Case.objects.exists()
