"""The shared parameter parsers: what they accept, and the specific error for what they refuse."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from yiwang.web import params


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        ("-3", -3),
        ("+5", 5),
        ("²", None),  # str.isdigit() is True, int() raises
        ("١٢٣", None),  # Arabic-Indic digits: int() would accept them
        ("1e3", None),
        ("1.5", None),
        ("NaN", None),
        ("", None),
        (str(2**70), None),
        ("1_000", None),
    ],
)
def test_parse_int(raw, expected):
    assert params.parse_int(raw) == expected


def test_parse_int_bounds():
    assert params.parse_int("0", minimum=1) is None
    assert params.parse_int("11", maximum=10) is None
    assert params.parse_int(str(2**63 - 1), minimum=1, maximum=params.MAX_ID) == 2**63 - 1


def test_integer_names_the_parameter_and_keeps_defaults():
    assert params.integer({}, "page", default=1) == 1
    assert params.integer({"page": " "}, "page", default=1) == 1
    with pytest.raises(params.BadParameter) as bad:
        params.integer({"version": "abc"}, "version", minimum=0)
    assert bad.value.name == "version" and bad.value.code == "invalid_parameter"
    assert "version" in bad.value.message and "abc" in bad.value.message
    with pytest.raises(params.BadParameter) as missing:
        params.integer({}, "version", required=True)
    assert missing.value.code == "missing"


def test_long_or_unprintable_values_are_not_echoed_in_full():
    with pytest.raises(params.BadParameter) as bad:
        params.object_id({"id": "\x1b[2J" + "x" * 1000}, "id")
    assert "\x1b" not in bad.value.message
    assert len(bad.value.message) < 300


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("24.35", Decimal("24.35")),
        ("NaN", None),
        ("sNaN", None),
        ("inf", None),
        ("-Infinity", None),
        ("1e309", Decimal("1e309")),  # finite; range checks are the caller's
        ("abc", None),
        ("", None),
    ],
)
def test_finite_decimal(raw, expected):
    assert params.finite_decimal(raw) == expected


def test_strip_control_keeps_line_breaks_unless_asked():
    assert params.strip_control("a\x00b\x01c\x0bd\x1be\x7ff\x85g\ufffeh") == "abcdefgh"
    assert params.strip_control("一\n二\t三\r\n") == "一\n二\t三\r\n"
    assert params.strip_control("一\n二\t三", newlines=False) == "一 二 三"


def test_ids_drop_what_is_not_a_database_id():
    assert params.ids(["3", "abc", str(2**70), "-1", "0", "²", "9"]) == [3, 9]


def test_model_multiple_id_field_refuses_ids_beyond_the_database_range(db):
    from yiwang.orgs.models import Department

    field = params.ModelMultipleIdField(queryset=Department.objects.all(), required=False)
    with pytest.raises(ValidationError) as error:
        field.clean([str(2**70)])
    assert error.value.code == "invalid_pk_value"
    assert list(field.clean([])) == []
