"""The checks and the one-pass engine, without a database: each rule kind passing and
failing, scores per dimension, the issue cap with exact totals, the fast ID/USCC paths
agreeing with python-stdnum."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from yiwang.accounts.models import validate_resident_id
from yiwang.datahub.hub.values import column_of
from yiwang.quality import checks, engine
from yiwang.quality.choices import RuleKind

from .conftest import credit_code, id_number

ITEMS = {
    "code": {"column": "code", "name": "编号", "data_type": "string", "grade": "g1"},
    "name": {"column": "name", "name": "名称", "data_type": "string", "grade": "g1"},
    "idno": {"column": "idno", "name": "身份证号码", "data_type": "string", "grade": "g4"},
    "uscc": {"column": "uscc", "name": "统一社会信用代码", "data_type": "string", "grade": "g1"},
    "age": {"column": "age", "name": "年龄", "data_type": "integer", "grade": "g1"},
    "amount": {"column": "amount", "name": "金额", "data_type": "decimal", "grade": "g1"},
    "day": {"column": "day", "name": "日期", "data_type": "date", "grade": "g1"},
    "status": {"column": "status", "name": "状态", "data_type": "string", "grade": "g1"},
    "parent": {"column": "parent", "name": "上级", "data_type": "string", "grade": "g1"},
}
COLUMNS = {name: column_of(item) for name, item in ITEMS.items()}


def rule(kind: str, column: str, rule_id: int = 1, **params) -> engine.RuleSpec:
    return engine.RuleSpec(rule_id, kind, column, params)


def run(specs, rows, *, cap=100, keys=None):
    rows = [{"_id": i + 1, "code": f"C{i}", **row} for i, row in enumerate(rows)]
    full = [dict.fromkeys(COLUMNS) | row for row in rows]
    with translation.override("en"):  # the plan's checks word their messages as they are built
        plan = engine.build_plan(specs, COLUMNS, "code", lambda code: (keys or {}).get(code, set()))
        return engine.apply(plan, full, cap=cap)


def counts(outcome):
    return [(r.kind, r.checked, r.failed) for r in outcome.results]


# --- each rule kind, passing and failing ------------------------------------------------------


def test_not_null_counts_every_row_and_fails_empty_ones():
    outcome = run([rule(RuleKind.NOT_NULL, "name")], [{"name": "甲"}, {"name": None}, {}])
    assert counts(outcome) == [("not_null", 3, 2)]
    assert [(i.row_id, i.column, i.message) for i in outcome.issues] == [
        (2, "name", "Empty."),
        (3, "name", "Empty."),
    ]


def test_unique_fails_each_later_copy_and_skips_empty_values():
    rows = [{"name": "甲"}, {"name": "乙"}, {"name": "甲"}, {"name": "甲"}, {"name": None}]
    outcome = run([rule(RuleKind.UNIQUE, "name")], rows)
    assert counts(outcome) == [("unique", 4, 2)]
    assert [i.row_id for i in outcome.issues] == [3, 4]


def test_unique_on_the_key_passes_without_remembering_keys():
    outcome = run([rule(RuleKind.UNIQUE, "code")], [{}, {}])
    assert counts(outcome) == [("unique", 2, 0)]


def test_regex_matches_the_whole_value():
    rows = [{"name": "13800138000"}, {"name": "1380013800"}, {"name": "x13800138000"}]
    outcome = run([rule(RuleKind.REGEX, "name", pattern=r"1[3-9]\d{9}")], rows)
    assert counts(outcome) == [("regex", 3, 2)]


def test_regex_applies_to_the_text_of_other_types():
    outcome = run([rule(RuleKind.REGEX, "age", pattern=r"\d{2}")], [{"age": 42}, {"age": 7}])
    assert counts(outcome) == [("regex", 2, 1)]


def test_range_on_numbers_decimals_and_dates():
    specs = [
        rule(RuleKind.RANGE, "age", 1, min="0", max="120"),
        rule(RuleKind.RANGE, "amount", 2, min="0.5"),
        rule(RuleKind.RANGE, "day", 3, max="2024-12-31"),
    ]
    rows = [
        {"age": 30, "amount": Decimal("0.5"), "day": dt.date(2024, 12, 31)},
        {"age": 121, "amount": Decimal("0.49"), "day": dt.date(2025, 1, 1)},
        {"age": -1},
    ]
    outcome = run(specs, rows)
    assert counts(outcome) == [("range", 3, 2), ("range", 2, 1), ("range", 2, 1)]
    messages = {i.message for i in outcome.issues}
    assert "More than the maximum 120." in messages
    assert "Less than the minimum 0." in messages


def test_enum_on_text_and_on_numbers():
    specs = [
        rule(RuleKind.ENUM, "status", 1, values=["有效", "注销"]),
        rule(RuleKind.ENUM, "age", 2, values=["1", "2"]),
    ]
    rows = [{"status": "有效", "age": 1}, {"status": "吊销", "age": 3}]
    assert counts(run(specs, rows)) == [("enum", 2, 1), ("enum", 2, 1)]


def test_reference_values_must_be_keys_of_the_other_resource():
    keys = {"102001": {credit_code(1), credit_code(2)}}
    rows = [{"parent": credit_code(1)}, {"parent": credit_code(3)}, {"parent": None}]
    outcome = run([rule(RuleKind.REFERENCE, "parent", resource="102001")], rows, keys=keys)
    assert counts(outcome) == [("reference", 2, 1)]
    assert outcome.issues[0].message == "No row of resource 102001 has this key."


def _with_check_digit(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def test_resident_id_check_digit_date_region_and_length():
    good = id_number(7)
    wrong_digit = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [
        {"idno": good},
        {"idno": good.lower()},
        {"idno": f" {good[:6]} {good[6:]} "},
        # Born before 大埔县 got code 441422 (1988): still valid (stdnum's ric.validate
        # would refuse it, as registration does not).
        {"idno": _with_check_digit("44142219500101001")},
        {"idno": wrong_digit},
        {"idno": _with_check_digit("44142219901301001")},  # month 13
        {"idno": _with_check_digit("44142221000101001")},  # born in 2100
        {"idno": _with_check_digit("99999919900101001")},  # no such county
        {"idno": "4414221990"},
        {"idno": "44142219900101A01X"},
    ]
    outcome = run([rule(RuleKind.ID_NUMBER, "idno")], rows)
    assert counts(outcome) == [("id_number", 10, 6)]
    assert [i.message for i in outcome.issues] == [
        "The check digit is wrong.",
        "The birth date in it is not a real date.",
        "The birth date in it is in the future.",
        "The region code (the first 6 digits) is not a county-level division.",
        "Not 18 characters long.",
        "The first 17 characters must be digits and the last one a digit or X.",
    ]
    assert all(good not in i.message for i in outcome.issues)


def test_uscc_check_character():
    good = credit_code(5)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [{"uscc": good}, {"uscc": wrong}, {"uscc": "91441422MA52X60Q7"}, {"uscc": "9144I"}]
    outcome = run([rule(RuleKind.USCC, "uscc")], rows)
    assert counts(outcome) == [("uscc", 4, 3)]
    assert outcome.issues[0].message == "The check character is wrong."


def test_a_rule_on_a_column_the_data_no_longer_has_is_noted_not_checked():
    outcome = run([rule(RuleKind.NOT_NULL, "gone")], [{}])
    assert counts(outcome) == [("not_null", 0, 0)]
    assert outcome.results[0].note == "The data no longer has this column."


# --- scores and the issue cap --------------------------------------------------------------


def test_scores_per_dimension_and_overall():
    specs = [
        rule(RuleKind.NOT_NULL, "name", 1),  # completeness: 3 of 4 pass
        rule(RuleKind.UNIQUE, "name", 2),  # uniqueness: 2 of 3 pass
        rule(RuleKind.ENUM, "status", 3, values=["有效"]),  # validity: 1 of 2 ...
        rule(RuleKind.RANGE, "age", 4, min="0"),  # ... and 2 of 2: 3 of 4
    ]
    rows = [
        {"name": "甲", "status": "有效", "age": 1},
        {"name": "乙", "status": "吊销", "age": 2},
        {"name": "甲"},
        {"name": None},
    ]
    outcome = run(specs, rows)
    scores, overall = engine.score_dimensions(outcome.results)
    assert scores == {"completeness": 75.0, "validity": 75.0, "uniqueness": 66.67}
    assert overall == round((75 + 75 + 66.67) / 3, 2)
    assert outcome.issue_total == 1 + 1 + 1 + 0


def test_dimensions_without_checks_are_left_out_and_nothing_measured_scores_none():
    outcome = run([rule(RuleKind.REGEX, "name", pattern="x")], [{"name": None}])
    assert engine.score_dimensions(outcome.results) == ({}, None)


def test_the_issue_cap_keeps_the_first_issues_and_counts_them_all():
    rows = [{"name": None} for _ in range(25)]
    outcome = run([rule(RuleKind.NOT_NULL, "name")], rows, cap=10)
    assert len(outcome.issues) == 10
    assert outcome.issue_total == 25
    assert [i.row_id for i in outcome.issues] == list(range(1, 11))


def test_progress_is_reported_while_rows_pass(monkeypatch):
    monkeypatch.setattr(engine, "PROGRESS_EVERY", 2)
    seen: list[int] = []
    plan = engine.build_plan([rule(RuleKind.NOT_NULL, "name")], COLUMNS, "code", dict)
    engine.apply(
        plan, [{"_id": i, "code": "c", "name": "x"} for i in range(5)], cap=1, progress=seen.append
    )
    assert seen == [2, 4]


# --- the fast paths agree with python-stdnum -------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=40000),
    st.sampled_from(["0", "1", "5", "9", "X", "x"]),
    st.sampled_from(["441422", "440102", "110105", "999999", "441400"]),
    st.integers(min_value=1890, max_value=2030),
)
def test_the_id_check_agrees_with_registration(n, last, region, year):
    """Valid exactly when ``accounts.models.validate_resident_id`` accepts the number."""
    number = f"{region}{year}{id_number(n)[10:17]}{last}"
    try:
        validate_resident_id(number)
    except ValidationError:
        valid = False
    else:
        valid = True
    assert (checks.id_number_check()(number) is None) == valid


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXYIOSVZ", min_size=17, max_size=19))
def test_fast_uscc_check_agrees_with_stdnum(code):
    assert (checks.uscc_check()(code) is None) == uscc.is_valid(code)


def test_the_fast_uscc_path_accepts_valid_codes():
    assert checks.uscc_fast_valid(credit_code(1))
    assert checks.uscc_fast_valid("91441422MA52X60Q7D") == uscc.is_valid("91441422MA52X60Q7D")
