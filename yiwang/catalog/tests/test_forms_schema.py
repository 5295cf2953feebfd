import pytest
from django.core.exceptions import ValidationError

from yiwang.catalog.forms_schema import (
    build_form,
    clean_data,
    normalize_schema,
    validate_data,
    validate_schema,
)

from .conftest import FOOD_SCHEMA

GOOD = {
    "operator_name": "大埔县客家味道餐饮有限公司",
    "premises": "大埔县湖寮镇同仁路 18 号",
    "category": "热食类食品制售",
    "staff_count": 6,
    "phone": "0753-5522315",
}


def test_valid_data_is_cleaned():
    cleaned, errors = clean_data(
        FOOD_SCHEMA, {**GOOD, "staff_count": "6", "extra": "dropped", "opening_date": "2026-03-01"}
    )
    assert errors == {}
    assert cleaned["staff_count"] == 6
    assert cleaned["opening_date"] == "2026-03-01"
    assert "extra" not in cleaned


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"premises": ""}, "premises", "「经营场所」为必填项"),
        ({"premises": None}, "premises", "「经营场所」为必填项"),
        ({"staff_count": 0}, "staff_count", "「从业人员数」须为不小于 1 的整数"),
        ({"staff_count": "三"}, "staff_count", "「从业人员数」须为不小于 1 的整数"),
        ({"staff_count": 2.5}, "staff_count", "「从业人员数」须为不小于 1 的整数"),
        (
            {"category": "烧烤"},
            "category",
            "「经营项目」须从以下选项中选择：热食类食品制售、冷食类食品制售、糕点类食品制售、自制饮品制售",
        ),
        ({"phone": "12345"}, "phone", "「联系电话」格式不正确（11 位手机号或带区号的固定电话）"),
        (
            {"opening_date": "2026-02-30"},
            "opening_date",
            "「拟开业日期」须为有效日期，例如 2026-01-31",
        ),
        (
            {"operator_name": "字" * 101},
            "operator_name",
            "「经营者名称」最多 100 个字（现有 101 个字）",
        ),
    ],
)
def test_specific_chinese_messages(change, field, message):
    errors = validate_data(FOOD_SCHEMA, {**GOOD, **change})
    assert errors == {field: message}


def test_every_missing_required_field_is_reported():
    errors = validate_data(FOOD_SCHEMA, {})
    assert set(errors) == {"operator_name", "premises", "category", "staff_count", "phone"}


def test_build_form_labels_help_and_required():
    form = build_form(normalize_schema(FOOD_SCHEMA))
    assert list(form.fields) == [
        "operator_name",
        "premises",
        "category",
        "staff_count",
        "phone",
        "opening_date",
    ]
    assert form.fields["premises"].label == "经营场所"
    assert form.fields["premises"].required
    assert not form.fields["opening_date"].required
    assert form.fields["phone"].help_text == "11 位手机号或带区号的固定电话"
    html = form.as_div()
    assert 'type="date"' in html
    assert "热食类食品制售" in html


def test_bound_form_gives_the_same_messages():
    form = build_form(
        FOOD_SCHEMA, data={**GOOD, "premises": "", "staff_count": "0", "phone": "abc"}
    )
    assert not form.is_valid()
    assert form.errors["premises"] == ["「经营场所」为必填项"]
    assert form.errors["staff_count"] == ["「从业人员数」须为不小于 1 的整数"]
    assert form.errors["phone"][0].startswith("「联系电话」格式不正确")
    good = build_form(FOOD_SCHEMA, data={**GOOD, "staff_count": "6", "opening_date": "2026-03-01"})
    assert good.is_valid(), good.errors
    assert good.json_data() == {**GOOD, "staff_count": 6, "opening_date": "2026-03-01"}


def test_field_names_that_clash_with_form_attributes():
    schema = {
        "properties": {
            "data": {"type": "string", "title": "数据"},
            "clean": {"type": "boolean", "title": "已清洁"},
        },
        "required": ["data"],
    }
    form = build_form(schema, data={"data": "x", "clean": "on"})
    assert form.is_valid()
    assert form.json_data() == {"data": "x", "clean": True}


def test_must_tick_boolean():
    schema = {
        "properties": {"promise": {"type": "boolean", "title": "承诺所填信息真实", "const": True}}
    }
    assert validate_data(schema, {}) == {"promise": "请勾选「承诺所填信息真实」"}
    assert validate_data(schema, {"promise": True}) == {}
    form = build_form(schema, data={})
    assert not form.is_valid()
    assert form.errors["promise"] == ["请勾选「承诺所填信息真实」"]


@pytest.mark.parametrize(
    ("schema", "fragment"),
    [
        ([], "JSON 对象"),
        ({"type": "array", "properties": {"a": {"type": "string", "title": "甲"}}}, "object"),
        ({"properties": {}}, "至少一个字段"),
        ({"properties": {"名称": {"type": "string", "title": "名称"}}}, "名称"),
        ({"properties": {"a": {"type": "string", "title": "甲"}}, "required": ["b"]}, "“b”"),
        (
            {"properties": {"a": {"type": "integer", "title": "甲", "minimum": 5, "maximum": 1}}},
            "最小值大于最大值",
        ),
        ({"properties": {"a": {"type": "string", "title": "甲", "format": "email"}}}, "date"),
        ({"properties": {"a": {"type": "string", "title": "甲", "enum": []}}}, "enum"),
        ({"properties": {"a": {"type": "string", "title": "甲", "oneOf": []}}}, "oneOf"),
        ({"properties": {"a": {"type": "integer", "title": "甲", "maxLength": 3}}}, "maxLength"),
    ],
)
def test_bad_schemas(schema, fragment):
    with pytest.raises(ValidationError) as exc:
        validate_schema(schema)
    assert fragment in " ".join(exc.value.messages)


def test_empty_schema_means_no_form():
    validate_schema({})
    assert validate_data({}, {"anything": 1}) == {}
    assert list(build_form({}).fields) == []


MULTI = {
    "properties": {
        "services": {
            "type": "array",
            "title": "附加服务",
            "items": {"type": "string", "enum": ["外卖", "堂食", "配送"]},
            "uniqueItems": True,
        },
        "story": {"type": "string", "title": "经营情况", "x-widget": "textarea", "maxLength": 50},
    },
    "required": ["services"],
}


def test_multiple_choice_values_are_lists_of_listed_choices():
    validate_schema(MULTI)
    cleaned, errors = clean_data(MULTI, {"services": ["外卖", " 配送 ", "外卖"]})
    assert errors == {}
    assert cleaned["services"] == ["外卖", "配送"]
    # a single value (e.g. read with QueryDict.get) is one choice, not an error
    assert clean_data(MULTI, {"services": "堂食"})[0]["services"] == ["堂食"]
    errors = validate_data(MULTI, {"services": ["外卖", "烧烤"]})
    assert errors == {"services": validate_data(MULTI, {"services": ["烧烤"]})["services"]}
    assert "外卖、堂食、配送" in errors["services"]
    assert set(validate_data(MULTI, {"services": []})) == {"services"}
    assert set(validate_data(MULTI, {"services": [{"x": 1}]})) == {"services"}


def test_multiple_choice_and_long_text_in_the_django_form():
    form = build_form(MULTI, data={"services": ["外卖", "堂食"], "story": "好"})
    assert form.is_valid(), form.errors
    assert form.json_data() == {"services": ["外卖", "堂食"], "story": "好"}
    html = form.as_div()
    assert 'type="checkbox"' in html and "<textarea" in html
    assert not build_form(MULTI, data={"services": ["烧烤"]}).is_valid()


def test_post_values_reads_lists_for_multiple_choice():
    from django.http import QueryDict

    from yiwang.catalog.forms_schema import post_values, value_text

    data = QueryDict("f-services=外卖&f-services=配送&f-story=好")
    assert post_values(MULTI, data, "f") == {"services": ["外卖", "配送"], "story": "好"}
    assert value_text(["外卖", "配送"]) == "外卖、配送"
    assert value_text(2.0) == "2"


@pytest.mark.parametrize(
    "prop",
    [
        {"type": "array", "title": "甲"},  # no items
        {"type": "array", "title": "甲", "enum": ["a"]},
        {"type": "array", "title": "甲", "items": {"type": "integer", "enum": [1]}},
        {"type": "array", "title": "甲", "items": {"type": "string", "enum": ["a", "a"]}},
        {"type": "string", "title": "甲", "items": {"type": "string", "enum": ["a"]}},
        {"type": "string", "title": "甲", "x-widget": "slider"},
        {"type": "integer", "title": "甲", "x-widget": "textarea"},
        {"type": "integer", "title": "甲", "minimum": 1.5},
        {"type": "number", "title": "甲", "maximum": float("nan")},
        {"type": "string", "title": "甲", "pattern": "("},
        {"type": "string", "title": "   "},
    ],
)
def test_unsupported_field_definitions_are_refused(prop):
    with pytest.raises(ValidationError):
        validate_schema({"properties": {"a": prop}})


@pytest.mark.parametrize(
    ("value", "expected_error"),
    [
        ("9" * 5000, True),  # longer than Python's int() accepts
        ("1e999999999", True),  # would be a billion-digit integer
        ("NaN", True),
        (float("inf"), True),
        (True, True),
        ("١٢", False),  # Arabic-Indic digits are digits
        (" 12 ", False),
    ],
)
def test_hostile_numbers_get_the_number_message(value, expected_error):
    schema = {"properties": {"n": {"type": "integer", "title": "人数", "maximum": 100}}}
    errors = validate_data(schema, {"n": value})
    assert bool(errors) is expected_error
    if expected_error:
        assert errors["n"] == validate_data(schema, {"n": "abc"})["n"]
