"""Personal-data formats of form fields: the same checks as window intake, masks, storage split."""

import pytest
from django.core.exceptions import ValidationError

from yiwang.catalog import personal_formats
from yiwang.catalog.forms_schema import build_form, clean_data, schema_errors, validate_schema
from yiwang.demo import items as demo_items

SCHEMA = {
    "type": "object",
    "properties": {
        "shop_name": {"type": "string", "title": "经营者名称", "maxLength": 50},
        "holder": {"type": "string", "title": "经营者姓名", "format": "person-name"},
        "holder_id": {"type": "string", "title": "经营者身份号码", "format": "resident-id"},
        "uscc": {"type": "string", "title": "统一社会信用代码", "format": "uscc"},
        "mobile": {"type": "string", "title": "联系手机", "format": "mobile"},
        "phone": {"type": "string", "title": "联系电话", "format": "phone"},
        "account": {"type": "string", "title": "收款账号", "format": "bank-account"},
    },
}
GOOD = {
    "shop_name": "客家味道小吃店",
    "holder": "王大明",
    "holder_id": "441422198503121234",
    "uscc": "91350100M000100Y43",
    "mobile": "13800135678",
    "phone": "0753-5522315",
    "account": "6222 0212 3456 7890 128",
}


def test_valid_personal_values_are_normalised():
    cleaned, errors = clean_data(
        SCHEMA,
        {
            **GOOD,
            "holder_id": "４４１４２２１９８５０３１２１２３４",  # full-width digits
            "holder": " 阿卜杜•热合曼 ",
            "mobile": "+86 138-0013-5678",
        },
    )
    assert errors == {}
    assert cleaned["holder_id"] == "441422198503121234"
    assert cleaned["holder"] == "阿卜杜·热合曼"
    assert cleaned["mobile"] == "13800135678"
    assert cleaned["phone"] == "07535522315"
    assert cleaned["account"] == "6222021234567890128"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("holder_id", "441422198503121235", "invalid_resident_id_checksum"),  # wrong check digit
        ("holder_id", "441422198513121238", "invalid_resident_id_birth_date"),  # month 13
        ("holder_id", "441422198502301233", "invalid_resident_id_birth_date"),  # 30 February
        ("holder_id", "99999919850312123X", "invalid_resident_id_region"),  # area 999999
        ("holder_id", "44142219850312123", "invalid_resident_id_length"),
        ("uscc", "91350100M000100Y4Z", "invalid_uscc_character"),
        ("uscc", "91350100M000100Y44", "invalid_uscc_checksum"),
        ("mobile", "1380013567", "invalid_phone"),
        ("mobile", "0753-5522315", "invalid_phone"),  # a fixed line is not a mobile
        ("phone", "5522315", "invalid_phone"),  # no area code
        ("account", "6222021234567890123", "invalid_bank_account_checksum"),  # Luhn
        ("account", "62220212345", "invalid_bank_account_format"),  # too short
        ("account", "6222O21234567890128", "invalid_bank_account_format"),  # letter O
        ("holder", "王", "invalid_person_name_length"),
        ("holder", "王3明", "invalid_person_name"),
        ("holder", "<b>王明</b>", "invalid_person_name"),
    ],
)
def test_invalid_values_get_the_validators_specific_message(field, value, code):
    _, errors = clean_data(SCHEMA, {**GOOD, field: value})
    assert set(errors) == {field}
    _, expected = personal_formats.check(SCHEMA["properties"][field]["format"], value)
    assert expected and expected in errors[field]
    # the same validator (and its code) as window intake and accounts
    with pytest.raises(ValidationError) as exc:
        personal_formats.CHECKS[SCHEMA["properties"][field]["format"]](
            personal_formats.normalise(SCHEMA["properties"][field]["format"], value)
        )
    assert exc.value.code == code


def test_corporate_accounts_without_check_digit_are_accepted():
    for account in ("44050178010100001234", "20050230091200012345", "6222021234567890123456"):
        assert clean_data(SCHEMA, {**GOOD, "account": account})[1] == {}


def test_bound_form_reports_the_same_message_and_keeps_personal_widgets():
    form = build_form(SCHEMA, data={**GOOD, "holder_id": "441422198513121238"})
    assert not form.is_valid()
    _, expected = personal_formats.check("resident-id", "441422198513121238")
    assert expected in form.errors["holder_id"][0]
    assert form.fields["mobile"].widget.input_type == "tel"
    assert build_form(SCHEMA, data=GOOD).is_valid()


@pytest.mark.parametrize(
    ("prop", "fragment"),
    [
        ({"type": "integer", "title": "甲", "format": "resident-id"}, "format"),
        ({"type": "string", "title": "甲", "format": "passport"}, "resident-id"),
        ({"type": "string", "title": "甲", "format": "mobile", "enum": ["13800135678"]}, "enum"),
        ({"type": "string", "title": "甲", "format": "resident-id", "default": "1"}, "default"),
    ],
)
def test_schema_accepts_personal_formats_only_on_plain_strings(prop, fragment):
    with pytest.raises(ValidationError) as exc:
        validate_schema({"properties": {"a": prop}})
    assert fragment in " ".join(exc.value.messages)
    validate_schema(SCHEMA)


def test_split_masks_personal_values_and_keeps_them_apart():
    cleaned, _ = clean_data(SCHEMA, GOOD)
    shown, personal = personal_formats.split(SCHEMA, cleaned)
    assert list(shown) == list(cleaned)
    assert shown["shop_name"] == "客家味道小吃店"
    assert shown["holder"] == "王**"
    assert shown["holder_id"] == "441422********1234"
    assert shown["mobile"] == "138****5678"
    assert shown["account"] == "6222 **** **** 0128"
    assert shown["uscc"] == "913501********0Y43"
    assert set(personal) == set(SCHEMA["properties"]) - {"shop_name"}
    indexes = dict(personal_formats.blind_indexes(SCHEMA, personal))
    assert set(indexes) == {"holder_id", "mobile", "phone"}


def test_fields_without_a_format_are_recognised_by_title_or_name():
    legacy = {
        "properties": {
            "id_number": {"type": "string", "title": "公民身份号码", "pattern": "^\\d{17}[\\dXx]$"},
            "tel": {"type": "string", "title": "联系电话"},
            "name": {"type": "string", "title": "申请人姓名"},
            "card": {"type": "string", "title": "收款账号"},
            "shop": {"type": "string", "title": "店名"},
            "kind": {"type": "string", "title": "联系电话类型", "enum": ["手机", "座机"]},
        }
    }
    assert personal_formats.personal_fields(legacy) == {
        "id_number": "resident-id",
        "tel": "phone",
        "name": "person-name",
        "card": "bank-account",
    }


def test_demo_items_declare_formats_for_personal_fields():
    hints = ("身份", "电话", "手机", "姓名", "账号", "信用代码", "法定代表人", "监护人")
    for spec in demo_items.ITEMS:
        schema = spec["form"]
        assert schema_errors(schema) == [], spec["name"]
        for key, prop in schema["properties"].items():
            if any(h in prop["title"] for h in hints):
                assert prop.get("format") in personal_formats.PERSONAL_FORMATS, (spec["name"], key)
    formats = {
        prop.get("format")
        for spec in demo_items.ITEMS
        for prop in spec["form"]["properties"].values()
    }
    assert {"resident-id", "uscc", "phone", "bank-account", "person-name"} <= formats


SAMPLES = {
    "resident-id": "441422198503121234",
    "uscc": "91350100M000100Y43",
    "mobile": "13800135678",
    "phone": "0753-5522315",
    "bank-account": "6222021234567890128",
    "person-name": "王大明",
    "date": "2026-12-01",
}


def _sample(prop: dict):
    if "enum" in prop:
        return prop["enum"][0]
    if prop["type"] in ("integer", "number"):
        return prop.get("minimum", 1) if prop.get("minimum", 1) >= 1 else 1
    if prop["type"] == "boolean":
        return True
    if "pattern" in prop:
        return {
            "^[A-Z]\\d{9}$": "A440123456",
            "^\\d{17}[\\dXx]\\d{2}$": "44142219850312123411",
            "^JY\\d{14}$": "JY14414220012345",
        }[prop["pattern"]]
    return SAMPLES.get(prop.get("format"), "客家味道")


def test_a_plausible_application_passes_every_demo_form():
    for spec in demo_items.ITEMS:
        props = spec["form"]["properties"]
        data = {key: _sample(prop) for key, prop in props.items()}
        assert clean_data(spec["form"], data)[1] == {}, spec["name"]
