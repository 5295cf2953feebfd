"""Masking and detection: pure functions, no database."""

from __future__ import annotations

import pytest
from django.utils import translation

from yiwang.datahub.detection import suggest
from yiwang.datahub.masking import HIDDEN, mask_address, mask_value


@pytest.mark.parametrize(
    ("value", "mask", "shown"),
    [
        ("44142219900101123X", "id_number", "441422********123X"),
        ("44142219900101123x", "id_number", "441422********123X"),
        ("13812345678", "phone", "138****5678"),
        ("张三", "name", "张*"),
        ("欧阳娜娜", "name", "欧***"),
        ("91441422MA52X60Q7D", "uscc", "914414********0Q7D"),
        ("6222021234567890123", "bank_account", "6222 **** **** 0123"),
        ("广东省梅州市大埔县湖寮镇同仁路128号", "address", "广东省梅州市大埔县湖寮镇****"),
        ("大埔县光德镇九龙村3组", "address", "大埔县光德镇****"),
        ("大埔县湖寮镇", "address", "大埔县湖寮镇"),
        ("梅州市梅江区西郊街道金燕大道1号", "address", "梅州市梅江区西郊街道****"),
        ("大埔县同仁路8号", "address", "大埔县****"),
        ("任何值", "hidden", HIDDEN),
        (12345, "hidden", HIDDEN),
        ("原样", "none", "原样"),
        (42, "none", 42),
    ],
)
def test_mask_value(value, mask, shown):
    assert mask_value(value, mask) == shown


@pytest.mark.parametrize("mask", ["id_number", "phone", "name", "address", "hidden", "none"])
def test_missing_values_stay_missing(mask):
    assert mask_value(None, mask) is None
    assert mask_value("", mask) == ""


def test_unknown_mask_is_an_error():
    with pytest.raises(ValueError):
        mask_value("x", "rot13")


def test_mask_address_without_any_division():
    assert mask_address("同仁路8号") == "同仁****"


IDS = ["11010519491231002X", "440524188001010014", "441422199005185387", "441422198811076594"]


def test_id_numbers_by_values():
    found = suggest("zjhm", "证件", IDS)
    assert (found.grade, found.mask, found.personal) == ("g4", "id_number", True)


def test_id_numbers_by_label_alone():
    found = suggest("", "公民身份号码", [])
    assert found.mask == "id_number" and found.personal


def test_a_few_invalid_numbers_do_not_decide():
    found = suggest("code", "编码", ["110105194912310021", "123", "abc", "xyz"])
    assert found.mask == "none" and found.grade == "g2"


def test_uscc_by_values():
    found = suggest(
        "code", "代码", ["11100000000013338W", "11220000013544541J", "91441422MA52X60Q7D"]
    )
    assert found.mask == "uscc" and found.grade == "g2"
    # the standard's own worked example has a wrong check character
    assert suggest("code", "代码", ["91350100M000100Y4Z"]).mask == "none"


def test_phones_and_bank_cards():
    assert suggest("c", "联系", ["13812345678", "13900001111"]).mask == "phone"
    cards = ["6222021234567890128", "4111111111111111"]
    found = suggest("c", "卡", cards)
    assert found.mask == "bank_account" and found.grade == "g4"


def test_names_need_a_surname_or_the_label():
    assert suggest("x", "人员", ["张三", "李四", "王小明", "欧阳娜娜"]).mask == "name"
    assert suggest("x", "乡镇", ["湖寮镇", "大麻镇", "茶阳镇"]).mask != "name"
    assert suggest("x", "联系人姓名", []).mask == "name"


def test_addresses():
    values = ["大埔县湖寮镇同仁路8号", "大埔县高陂镇陶瓷工业园B区6号"]
    assert suggest("x", "场所", values).mask == "address"
    assert suggest("x", "住址", []).mask == "address"


def test_sensitive_personal_label():
    found = suggest("diagnosis", "疾病诊断", [])
    assert (found.grade, found.mask) == ("g4", "hidden")


def test_mixed_signals_take_the_stricter():
    # a name column whose label says it is an ID number: 就高从严
    found = suggest("name", "身份证号码", ["张三", "李四"])
    assert found.grade == "g4" and found.mask == "id_number"
    with translation.override("en"):
        reason = suggest("name", "身份证号码", ["张三", "李四"]).reason
    assert "resident ID numbers" in reason and "person names" in reason


def test_nothing_recognised_is_internal_by_default():
    with translation.override("en"):
        found = suggest("remark", "备注", ["无", "正常"])
    assert (found.grade, found.mask, found.personal) == ("g2", "none", False)
    assert "level 2" in found.reason
