"""Redaction of published free text: no personal number survives, nothing else changes."""

import re
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.cn import ric, uscc

from yiwang.gmcrypto.masking import redact_text, strip_controls

WORDS = st.sampled_from(
    [
        "请回电",
        "我的号码",
        "小区路灯坏了",
        "谢谢",
        "，",
        "。",
        "：",
        "（",
        "）",
        " ",
        "\n",
        "联系人李",
    ]
)
#: Text around a number: never a digit or a Latin letter next to it.
CONTEXT = st.lists(WORDS, max_size=6).map("".join)


def _digits(n: int):
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


@st.composite
def mobiles(draw) -> tuple[str, str]:
    number = "1" + draw(st.sampled_from("3456789")) + draw(_digits(9))
    style = draw(st.sampled_from(["plain", "space", "dash", "+86", "0086", "fullwidth"]))
    written = {
        "plain": number,
        "space": f"{number[:3]} {number[3:7]} {number[7:]}",
        "dash": f"{number[:3]}-{number[3:7]}-{number[7:]}",
        "+86": f"+86 {number}",
        "0086": f"0086{number}",
        "fullwidth": number.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)}),
    }[style]
    return written, number


@st.composite
def id_numbers(draw) -> tuple[str, str]:
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 12, 31)))
    body = (
        draw(st.sampled_from(["441422", "110105", "440300", "510104"]))
        + birth.strftime("%Y%m%d")
        + draw(_digits(3))
    )
    number = body + ric.calc_check_digit(body)
    return number, number


@st.composite
def legacy_ids(draw) -> tuple[str, str]:
    birth = draw(st.dates(min_value=date(1930, 1, 1), max_value=date(1999, 12, 31)))
    number = "441422" + birth.strftime("%y%m%d") + draw(_digits(3))
    return number, number


@st.composite
def bank_cards(draw) -> tuple[str, str]:
    length = draw(st.integers(16, 19))
    body = draw(st.sampled_from(["62", "40", "51"])) + draw(_digits(length - 3))
    number = body + luhn.calc_check_digit(body)
    grouped = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    return draw(st.sampled_from([number, grouped])), number


@st.composite
def landlines(draw) -> tuple[str, str]:
    area = draw(st.sampled_from(["010", "020", "0753", "0755", "0898"]))
    local_len = 8 if len(area) == 3 else draw(st.sampled_from([7, 8]))
    local = draw(st.sampled_from("23456789")) + draw(_digits(local_len - 1))
    sep = draw(st.sampled_from(["", "-", " "]))
    written = f"({area}){local}" if draw(st.booleans()) else f"{area}{sep}{local}"
    return written, local


@st.composite
def usccs(draw) -> tuple[str, str]:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = (
        draw(st.sampled_from(["91", "92", "12", "52"]))
        + "441422"
        + draw(st.text(alphabet=alphabet, min_size=9, max_size=9))
    )
    code = body + uscc.calc_check_digit(body)
    return code, code


PERSONAL = st.one_of(mobiles(), id_numbers(), legacy_ids(), bank_cards(), landlines(), usccs())


def _only_digits(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", text.translate({c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}))


@settings(max_examples=300, deadline=None)
@given(before=CONTEXT, number=PERSONAL, after=CONTEXT)
def test_no_personal_number_survives(before, number, after):
    written, value = number
    out = redact_text(before + written + after)
    assert value not in _only_digits(out)
    assert "*" in out
    assert out.startswith(before)
    assert out.endswith(after)


@settings(max_examples=100, deadline=None)
@given(st.lists(PERSONAL, min_size=2, max_size=4), CONTEXT)
@example([("14000000000", "14000000000"), ("07534000000", "4000000")], "")
def test_several_numbers_in_one_text_are_all_masked(numbers, glue):
    text = ("；" + glue).join(w for w, _value in numbers)
    out = redact_text(text)
    # Each number's own piece: the digits a mask leaves of two neighbours, run together,
    # could spell a value by accident (140****0000；0753****000 -> 1400000075300).
    pieces = out.split("；")
    assert len(pieces) == len(numbers)
    for piece, (_written, value) in zip(pieces, numbers, strict=True):
        assert value not in _only_digits(piece)
        assert "*" in piece


SAFE = st.one_of(
    WORDS,
    st.dates().map(lambda d: d.isoformat()),
    st.integers(0, 999_999).map(lambda n: f"¥{n:,}"),
    st.integers(0, 999).map(str),
    st.times().map(lambda t: t.strftime("%H:%M")),
    st.sampled_from(["第3号", "12345", "3月5日", "2026年12月4日", "No.12", "A区3栋"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(SAFE, max_size=12))
def test_ordinary_text_dates_and_amounts_are_unchanged(parts):
    text = "的".join(parts)
    assert redact_text(text) == text


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_redaction_is_idempotent_and_strips_controls(text):
    once = redact_text(text)
    assert redact_text(once) == once
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", once)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请回电13800135678谢谢", "请回电138****5678谢谢"),
        ("电话 +86 138-0013-5678", "电话 +86 138****5678"),
        ("办公室0753-5512345转", "办公室0753-*****45转"),
        ("身份证441422199001011234", "身份证441422********1234"),
        ("卡号6222 0212 3456 7890 128", "卡号6222***********0128"),
        ("代码91110000600037341L", "代码911100********341L"),
        ("１３８００１３５６７８", "138****5678"),
        ("2026-12-04 交费¥1,200", "2026-12-04 交费¥1,200"),
        ("", ""),
    ],
)
def test_examples(text, expected):
    assert redact_text(text) == expected


def test_numbers_published_on_purpose_are_kept(settings):
    settings.YIWANG_REDACTION_KEEP = ["0753-5512345"]
    assert redact_text("请致电0753-5512345或13800135678") == "请致电0753-5512345或138****5678"


def test_control_characters_are_removed_but_line_breaks_kept():
    assert strip_controls("a\x00b\x01c\x85d\te\nf\rg") == "abcd\te\nf\rg"
    assert redact_text("路灯\x01坏了\n请修") == "路灯坏了\n请修"
