"""Personal data typed into application forms: encrypted at rest, masked for staff, revealed
only by the audited, purpose-bound action, and migrated out of existing cases."""

import importlib
import json

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from yiwang.audit.models import AuditEntry
from yiwang.cases import actions, queries
from yiwang.cases.models import Case, FormValueIndex
from yiwang.catalog import actions as catalog
from yiwang.catalog.models import ItemRevision, ItemType
from yiwang.gmcrypto.core import blind_index
from yiwang.privacy.models import Disclosure
from yiwang.web.testing import pdf_text

from .conftest import STEPS, pdf_file

pytestmark = pytest.mark.django_db

SCHEMA = {
    "type": "object",
    "properties": {
        "shop_name": {"type": "string", "title": "经营者名称", "maxLength": 50},
        "holder": {"type": "string", "title": "经营者姓名", "format": "person-name"},
        "holder_id": {"type": "string", "title": "经营者身份号码", "format": "resident-id"},
        "mobile": {"type": "string", "title": "联系手机", "format": "mobile"},
        "account": {"type": "string", "title": "收款账号", "format": "bank-account"},
    },
    "required": ["shop_name", "holder", "holder_id", "mobile"],
}
FORM = {
    "shop_name": "客家味道小吃店",
    "holder": "王大明",
    "holder_id": "441422198503121234",
    "mobile": "13912345678",
    "account": "6222021234567890128",
}
SECRETS = ("441422198503121234", "13912345678", "6222021234567890128", "王大明")
WHY = {"purpose": "contact", "reason": "电话核实经营者身份"}


@pytest.fixture
def item(world):
    item = catalog.create_item(
        actor=world.admin,
        name="个体工商户登记",
        item_type=ItemType.objects.get(code="XK"),
        main_number="00009",
        sub_number="000",
        competent_department=world.scj,
        department=world.scj,
        region=world.dabu,
        legal_basis="《促进个体工商户发展条例》第六条",
        statutory_limit=3,
        promised_limit=1,
        form_schema=SCHEMA,
        conditions="有经营能力的自然人",
        consult_phone="0753-5522001",
        complaint_phone="12345",
        location="大埔县政务服务中心",
        channels=["PC端", "窗口"],
    )
    catalog.set_materials(actor=world.admin, item=item, materials=[{"name": "申请书"}])
    catalog.set_process(actor=world.admin, item=item, steps=STEPS)
    catalog.publish_item(actor=world.admin, item=item)
    item.refresh_from_db()
    return item


def _submit(world, item, **changes):
    material = item.materials.get()
    case, _ = actions.submit_application(
        actor=world.citizen,
        item=item,
        form_data={**FORM, **changes},
        uploads={material.pk: pdf_file()},
        submission_key=f"pii-{Case.objects.count()}",
    )
    return case


def _raw_row(case) -> str:
    """The case's form columns exactly as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT form_data, form_pii FROM cases_case WHERE id = %s", [case.pk])
        form_data, form_pii = cursor.fetchone()
    return f"{form_data} {form_pii}"


def _in_raw(text: str, raw: str) -> bool:
    """Whether ``text`` is in a raw column, as is or JSON-escaped (SQLite stores \\uXXXX)."""
    return text in raw or json.dumps(text)[1:-1] in raw


def _assert_no_plaintext(case) -> None:
    raw = _raw_row(case)
    for secret in SECRETS:
        assert not _in_raw(secret, raw)
    assert _in_raw("客家味道小吃店", raw)  # non-personal values stay readable


def test_submitted_form_is_encrypted_at_rest_with_blind_indexes(world, item):
    case = _submit(world, item)
    _assert_no_plaintext(case)
    case.refresh_from_db()
    assert case.form_values() == FORM
    assert case.form_data["holder_id"] == "441422********1234"
    assert case.form_data["account"] == "6222 **** **** 0128"
    indexes = dict(FormValueIndex.objects.filter(case=case).values_list("field", "digest"))
    assert indexes == {
        "holder_id": blind_index("441422198503121234", "id"),
        "mobile": blind_index("13912345678", "phone"),
    }
    # exact lookup by number within the staff member's scope
    mine = queries.visible_cases(world.reviewer)
    assert list(queries.with_form_value(mine, id_number="441422198503121234")) == [case]
    assert list(queries.with_form_value(mine, phone="139 1234 5678")) == [case]
    assert not queries.with_form_value(mine, phone="13800135678").exists()
    assert not queries.with_form_value(
        queries.visible_cases(world.reviewer_mzj), id_number="441422198503121234"
    ).exists()


def test_draft_is_encrypted_and_resumed_in_full_by_its_applicant(client, world, item):
    draft = actions.save_draft(actor=world.citizen, item=item, form_data=dict(FORM))
    _assert_no_plaintext(draft)
    client.force_login(world.citizen)
    page = client.get(reverse("cases:apply", args=[item.pk])).content.decode()
    assert 'value="441422198503121234"' in page
    # saving it again replaces the values and their index
    actions.save_draft(
        actor=world.citizen, item=item, form_data={**FORM, "mobile": "13700001111"}, draft=draft
    )
    assert FormValueIndex.objects.get(case=draft, field="mobile").digest == blind_index(
        "13700001111", "phone"
    )
    case = _submit(world, item)
    assert FormValueIndex.objects.filter(case=case).count() == 2


def test_invalid_personal_value_is_refused_and_nothing_is_stored(world, item):
    with pytest.raises(ValidationError) as exc:
        _submit(world, item, holder_id="441422198513121238")  # month 13
    assert set(exc.value.message_dict) == {"form_holder_id"}
    assert not Case.objects.exists() and not FormValueIndex.objects.exists()


def test_window_intake_encrypts_the_form_too(world, item):
    material = item.materials.get()
    case, _ = actions.window_intake(
        actor=world.window_huliao,
        item=item,
        hall=world.hall_huliao,
        applicant_name="王大明",
        applicant_id_number="441422198503121234",
        applicant_phone="13912345678",
        form_data=dict(FORM),
        uploads={material.pk: pdf_file()},
        submission_key="window-1",
    )
    _assert_no_plaintext(case)
    assert Case.objects.get(pk=case.pk).form_values()["account"] == FORM["account"]


def test_staff_page_masks_and_the_applicants_own_page_shows_in_full(client, world, item):
    case = _submit(world, item)
    url = reverse("cases:detail", args=[case.pk])
    client.force_login(world.reviewer)
    staff_page = client.get(url).content.decode()
    for secret in SECRETS:
        assert secret not in staff_page
    assert "441422********1234" in staff_page and "139****5678" in staff_page
    assert reverse("cases:reveal_form", args=[case.pk, "holder_id"]) in staff_page
    assert reverse("cases:reveal_form", args=[case.pk, "shop_name"]) not in staff_page
    client.force_login(world.citizen)
    own_page = client.get(url).content.decode()
    for secret in SECRETS:
        assert secret in own_page
    assert reverse("cases:reveal_form", args=[case.pk, "holder_id"]) not in own_page


def test_receipt_pdf_masks_form_values(client, world, item):
    case = _submit(world, item)
    client.force_login(world.reviewer)
    response = client.get(reverse("cases:receipt", args=[case.pk]))
    text = pdf_text(response.content)
    assert "经营者身份号码" in text and "441422********1234" in text
    for secret in SECRETS:
        assert secret not in text


def test_reveal_of_a_form_field_is_purpose_bound_and_audited(client, world, item):
    case = _submit(world, item)
    url = reverse("cases:reveal_form", args=[case.pk, "holder_id"])
    client.force_login(world.reviewer)
    response = client.post(url, WHY)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "441422198503121234" in html and "13912345678" not in html
    disclosure = Disclosure.objects.get()
    assert (disclosure.field, disclosure.purpose, disclosure.actor) == (
        "form:holder_id",
        "contact",
        world.reviewer,
    )
    assert disclosure.subject == world.citizen
    assert disclosure.subject_id_index == blind_index("441422198503121234", "id")
    assert AuditEntry.objects.filter(action="personal_data.reveal", object_id=str(case.pk)).exists()
    # the value is shown once: the next page is masked again, nothing kept in the session
    assert (
        "441422198503121234"
        not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    )
    assert "441422198503121234" not in str(dict(client.session))


def test_reveal_without_reason_or_of_a_plain_field_is_refused(world, item):
    case = _submit(world, item)
    with pytest.raises(ValidationError) as exc:
        actions.reveal_form_value(
            actor=world.reviewer, case=case, key="holder_id", purpose="contact", reason=""
        )
    assert "reason_required" in str(exc.value.error_dict["reason"][0].code)
    with pytest.raises(ValidationError) as exc:
        actions.reveal_form_value(actor=world.reviewer, case=case, key="shop_name", **WHY)
    assert exc.value.code == "invalid_field"
    assert not Disclosure.objects.exists()


def test_reveal_is_refused_out_of_scope(client, world, item):
    case = _submit(world, item)
    with pytest.raises(PermissionDenied):
        actions.reveal_form_value(actor=world.reviewer_mzj, case=case, key="holder_id", **WHY)
    with pytest.raises(PermissionDenied):
        actions.reveal_form_value(actor=world.leader, case=case, key="holder_id", **WHY)
    url = reverse("cases:reveal_form", args=[case.pk, "holder_id"])
    client.force_login(world.reviewer_mzj)
    assert client.post(url, WHY).status_code == 404
    client.force_login(world.leader)  # sees the case, but does not handle cases
    assert client.post(url, WHY).status_code == 403
    client.force_login(world.citizen)
    assert client.post(url, WHY).status_code == 403
    assert not Disclosure.objects.exists()
    assert not AuditEntry.objects.filter(action="personal_data.reveal").exists()


def test_migration_moves_existing_plaintext_and_back(world, item):
    migration = importlib.import_module("yiwang.cases.migrations.0003_move_form_personal_data")
    case = _submit(world, item)
    plain = _submit(world, item)
    # as before the migration: the form published without formats (they did not exist),
    # every value in clear in form_data, nothing encrypted
    revision = ItemRevision.objects.get(item=item, version=case.item_version)
    old_schema = json.loads(json.dumps(SCHEMA))
    for prop in old_schema["properties"].values():
        prop.pop("format", None)
    revision.snapshot = {**revision.snapshot, "form_schema": old_schema}
    revision.save()
    Case.objects.filter(pk=case.pk).update(form_data=FORM, form_pii="")
    Case.objects.filter(pk=plain.pk).update(form_data={"shop_name": "老店"}, form_pii="")
    FormValueIndex.objects.all().delete()
    assert _in_raw("441422198503121234", _raw_row(case))

    assert migration.move_personal_form_data(apps) == 1  # the shop-name-only case stays
    _assert_no_plaintext(case)
    moved = Case.objects.get(pk=case.pk)
    assert moved.form_values() == FORM
    assert moved.form_data["mobile"] == "139****5678"
    assert FormValueIndex.objects.filter(case=case).count() == 2
    assert Case.objects.get(pk=plain.pk).form_data == {"shop_name": "老店"}
    assert migration.move_personal_form_data(apps) == 0  # a second run changes nothing

    assert migration.restore_personal_form_data(apps) == 1
    assert Case.objects.get(pk=case.pk).form_data == FORM
    assert not FormValueIndex.objects.exists()


def test_reveals_of_form_fields_count_against_the_staff_limit(world, item, settings):
    settings.YIWANG_REVEAL_LIMIT_PER_HOUR = 1
    case = _submit(world, item)
    assert actions.reveal_form_value(actor=world.reviewer, case=case, key="mobile", **WHY)
    with pytest.raises(ValidationError) as exc:
        actions.reveal_form_value(actor=world.reviewer, case=case, key="holder_id", **WHY)
    assert exc.value.code == "limit_exceeded"
    refused = Disclosure.objects.get(refused=True)
    assert refused.field == "form:holder_id"
