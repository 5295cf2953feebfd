"""Personal-data formats of application form fields: checks, masks and storage split.

A form property ``{"type": "string", "format": "resident-id"}`` tells the platform that the
value identifies a person (or, for ``uscc``, an enterprise that may be a sole trader). Such
values are checked with the same validators as window intake and accounts
(``python-stdnum`` via :mod:`yiwang.accounts.models`), stored SM4-encrypted apart from the
rest of the form, masked on every staff page and document, and revealed only by an audited
action. This module is the one place that knows the formats; forms_schema validates with it
and the cases app stores with it.

Formats:

- ``resident-id``: 公民身份号码, 18 characters, checked for length, check digit, a real and
  past birth date and a known county-level area code (``validate_resident_id``);
- ``uscc``: 统一社会信用代码 (``validate_enterprise_uscc``);
- ``mobile``: an 11-digit mainland mobile number (``validate_mobile``);
- ``phone``: a mobile number, or a fixed line with its area code (0753-5522315);
- ``bank-account``: 12–25 digits (spaces allowed). Personal bank cards (16–19 digits starting
  with 62, the UnionPay range every mainland debit card carries) must pass the Luhn check;
  other lengths and prefixes are corporate or passbook accounts, which have no check digit
  and are accepted by length only;
- ``person-name``: the name of a person where it identifies them: 2–30 characters, Chinese
  characters, latin letters, spaces and the middle dot ``·`` (少数民族 and foreign names).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from stdnum import luhn
from stdnum.util import isdigits

from yiwang.accounts.models import (
    normalise_phone,
    normalise_resident_id,
    normalise_uscc,
    validate_enterprise_uscc,
    validate_mobile,
    validate_resident_id,
)
from yiwang.gmcrypto.core import blind_index
from yiwang.gmcrypto.masking import (
    mask_bank_account,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_uscc,
)

RESIDENT_ID = "resident-id"
USCC = "uscc"
MOBILE = "mobile"
PHONE = "phone"
BANK_ACCOUNT = "bank-account"
PERSON_NAME = "person-name"
PERSONAL_FORMATS = (RESIDENT_ID, USCC, MOBILE, PHONE, BANK_ACCOUNT, PERSON_NAME)

# Blind-index purposes shared with accounts, so one ID number or phone finds both.
INDEX_PURPOSES = {RESIDENT_ID: "id", MOBILE: "phone", PHONE: "phone"}

LANDLINE_RE = re.compile(r"^0\d{9,11}$")  # area code (3–4 digits incl. 0) + 7–8 digits
NAME_DOTS = "·•‧・．.⋅"
# CJK ideographs incl. extension A, compatibility and the supplementary planes (rare
# characters do occur in names), latin letters, spaces and the middle dot.
NAME_RE = re.compile(
    r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134fA-Za-z·]"
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134fA-Za-z· ]*$"
)


# Forms written before the formats existed (and fields an editor forgot to mark) still hold
# personal data: a text field without a format whose title or name says it is an ID number,
# phone, bank account or person's name is stored and shown like one (encrypted, masked),
# though only a declared format also checks the value. (format, title fragments, key fragments)
HINTS = (
    # 残疾人证号 is the holder's ID number and two digits.
    (
        RESIDENT_ID,
        ("身份证", "身份号码", "证件号码", "残疾人证"),
        ("id_number", "id_no", "idcard", "id_card"),
    ),
    (USCC, ("信用代码",), ("uscc",)),
    (BANK_ACCOUNT, ("银行账号", "银行卡", "账号", "卡号"), ("bank",)),
    (PHONE, ("电话", "手机"), ("phone", "mobile")),
    (PERSON_NAME, ("姓名", "法定代表人", "监护人"), ()),
)


def is_personal(prop: dict) -> bool:
    return prop.get("format") in PERSONAL_FORMATS


def inferred_format(key: str, prop: dict) -> str | None:
    """The personal format a text field without one holds, judged by its title and name."""
    if prop.get("type") != "string" or "format" in prop or "enum" in prop:
        return None
    title, name = str(prop.get("title") or ""), key.lower()
    for fmt, titles, keys in HINTS:
        if any(t in title for t in titles) or any(k in name for k in keys):
            return fmt
    return None


def personal_fields(schema: dict | None) -> dict[str, str]:
    """``{field: format}`` of the schema's personal-data fields, declared or inferred."""
    props = (schema or {}).get("properties") or {}
    out = {}
    for key, prop in props.items():
        if not isinstance(prop, dict):
            continue
        fmt = prop.get("format") if is_personal(prop) else inferred_format(key, prop)
        if fmt:
            out[key] = fmt
    return out


# The form fields that hold the applicant's own name and ID number, which window intake asks
# for once in its applicant section: (intake field, format, field names, title fragments).
# Other people's names and numbers (经营者, 监护人, 男方 …) are not the applicant's.
APPLICANT_FIELDS = (
    ("applicant_name", PERSON_NAME, ("applicant_name",), ("申请人",)),
    ("applicant_id_number", RESIDENT_ID, ("applicant_id_number", "id_number"), ("申请人",)),
)


def applicant_fields(schema: dict | None) -> dict[str, str]:
    """``{intake field: form field}``: the form's first field holding the applicant's name or
    ID number, so window staff type each of them once."""
    props = (schema or {}).get("properties") or {}
    out: dict[str, str] = {}
    for key, fmt in personal_fields(schema).items():
        title = str(props[key].get("title") or "")
        for intake_field, wanted, names, titles in APPLICANT_FIELDS:
            if fmt != wanted or intake_field in out:
                continue
            if key in names or any(t in title for t in titles):
                out[intake_field] = key
    return out


# --- normalising and checking ------------------------------------------------------


def _normalise_name(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).strip()
    value = "".join("·" if c in NAME_DOTS else c for c in value)
    return " ".join(value.split())


def _normalise_bank_account(value: str) -> str:
    value = unicodedata.normalize("NFKC", value)
    return "".join(c for c in value if not c.isspace() and c != "-")


NORMALISERS: dict[str, Callable[[str], str]] = {
    RESIDENT_ID: normalise_resident_id,
    USCC: normalise_uscc,
    MOBILE: normalise_phone,
    PHONE: normalise_phone,
    BANK_ACCOUNT: _normalise_bank_account,
    PERSON_NAME: _normalise_name,
}


def normalise(fmt: str, value: str) -> str:
    """The value as it is stored: full-width folded, separators dropped, X upper-case."""
    return NORMALISERS[fmt](value)


def _check_phone(value: str) -> None:
    if value.startswith("1"):
        validate_mobile(value)
    elif not LANDLINE_RE.match(value):
        raise ValidationError(
            gettext(
                "%(value)s is not a phone number: enter an 11-digit mobile number or a fixed "
                "line with its area code, such as 0753-5522315."
            )
            % {"value": value},
            code="invalid_phone",
        )


def _check_bank_account(value: str) -> None:
    if not isdigits(value) or not 12 <= len(value) <= 25:
        raise ValidationError(
            gettext(
                "A bank account number has 12 to 25 digits (spaces are allowed); "
                "%(value)s is not one."
            )
            % {"value": value},
            code="invalid_bank_account_format",
        )
    if value.startswith("62") and 16 <= len(value) <= 19 and not luhn.is_valid(value):
        raise ValidationError(
            gettext(
                "%(value)s is not a valid bank card number: the last digit (the check digit) does "
                "not match the others. Copy the number again from the card or passbook."
            )
            % {"value": value},
            code="invalid_bank_account_checksum",
        )


def _check_name(value: str) -> None:
    if not 2 <= len(value) <= 30:
        raise ValidationError(
            gettext("A person's name has 2 to 30 characters; “%(value)s” has %(length)d.")
            % {"value": value, "length": len(value)},
            code="invalid_person_name_length",
        )
    if not NAME_RE.match(value):
        raise ValidationError(
            gettext(
                "“%(value)s” is not a person's name: use Chinese characters, latin letters and "
                "the middle dot · only (no digits or other signs)."
            )
            % {"value": value},
            code="invalid_person_name",
        )


CHECKS: dict[str, Callable[[str], None]] = {
    RESIDENT_ID: validate_resident_id,
    USCC: validate_enterprise_uscc,
    MOBILE: validate_mobile,
    PHONE: _check_phone,
    BANK_ACCOUNT: _check_bank_account,
    PERSON_NAME: _check_name,
}


def check(fmt: str, value: str) -> tuple[str, str | None]:
    """(normalised value, the validator's specific message or None) for one value."""
    value = normalise(fmt, value)
    try:
        CHECKS[fmt](value)
    except ValidationError as exc:
        return value, " ".join(exc.messages)
    return value, None


# --- masking and storage -----------------------------------------------------------

MASKS: dict[str, Callable[[str], str]] = {
    RESIDENT_ID: mask_id_number,
    USCC: mask_uscc,
    MOBILE: mask_phone,
    PHONE: mask_phone,
    BANK_ACCOUNT: mask_bank_account,
    PERSON_NAME: mask_name,
}


def mask(fmt: str, value) -> str:
    return MASKS[fmt](str(value))


def split(schema: dict | None, values: dict) -> tuple[dict, dict]:
    """``(form_data, personal)``: personal values replaced by their masks, and apart.

    ``form_data`` keeps every field in order (the personal ones masked), so any page or
    export that reads it shows masks by default; ``personal`` holds the full values, to be
    stored encrypted.
    """
    formats = personal_fields(schema)
    shown: dict = {}
    personal: dict = {}
    for key, value in values.items():
        if key in formats:
            personal[key] = value
            shown[key] = mask(formats[key], value)
        else:
            shown[key] = value
    return shown, personal


def blind_indexes(schema: dict | None, personal: dict) -> list[tuple[str, str]]:
    """``[(field, blind index)]`` of the personal values looked up by exact match."""
    formats = personal_fields(schema)
    out = []
    for key, value in personal.items():
        purpose = INDEX_PURPOSES.get(formats.get(key, ""))
        if purpose and value:
            out.append((key, blind_index(str(value), purpose)))
    return out
