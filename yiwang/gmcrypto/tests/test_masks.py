"""Masks of bank accounts and unified social credit codes (form fields of those formats)."""

import pytest

from yiwang.gmcrypto.masking import mask_bank_account, mask_uscc


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("6222021234567890128", "6222 **** **** 0128"),
        ("6222 0212 3456 7890 128", "6222 **** **** 0128"),
        ("441501780101", "4415 **** **** 0101"),  # length is not shown either
        ("1234", "****"),
        ("", ""),
    ],
)
def test_mask_bank_account_keeps_first_and_last_four(value, masked):
    assert mask_bank_account(value) == masked


def test_mask_uscc_keeps_head_and_tail():
    assert mask_uscc("91350100M000100Y43") == "913501********0Y43"
    assert mask_uscc("") == ""
