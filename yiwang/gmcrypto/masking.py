"""Masks for personal data shown on screen (GB/T 37964 style), and redaction of published text."""

import re
from collections.abc import Callable, Iterable

from django.conf import settings
from stdnum import luhn
from stdnum.cn import uscc


def mask_id_number(value: str) -> str:
    """``441422199001011234`` → ``441422********1234``."""
    if not value:
        return ""
    if len(value) <= 10:
        return value[:2] + "*" * (len(value) - 2)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """``13800135678`` → ``138****5678``."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """``张三`` → ``张*``."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


def mask_bank_account(value: str) -> str:
    """``6222021234567890123`` → ``6222 **** **** 0123``: first and last four digits only.

    The middle is always shown as two groups, so the mask does not tell the length either.
    """
    value = "".join((value or "").split())
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]} **** **** {value[-4:]}"


def mask_uscc(value: str) -> str:
    """``91441422MA4W1234X5`` → ``914414********34X5`` (as an ID number: head and tail kept)."""
    return mask_id_number(value)


# --- redaction of free text published to the public ------------------------------------
#
# Residents write their phone or ID number into the text of a request ("请回电 138…").
# What the public sees (Open311, progress pages, the open FAQ, open data) goes through
# ``redact_text``; staff pages keep the original. Matching runs on a copy in which
# full-width forms are folded to ASCII one character for one character, so the spans
# found there are the spans to mask in the original and nothing else changes.

#: Control characters never published: C0 except tab/newline/return, DEL, C1, and the
#: two non-characters XML 1.0 forbids.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
#: Full-width ASCII (U+FF01–U+FF5E) and the ideographic space, folded 1:1.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

_DATE8 = r"(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_DATE6 = r"\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
#: Resident ID numbers: area code, plausible birth date, sequence (check digit not
#: required: a mistyped number is still someone's); 15-digit legacy numbers too.
_ID18 = re.compile(rf"(?<![0-9])[1-9]\d{{5}}{_DATE8}\d{{3}}[0-9Xx](?![0-9A-Za-z])")
_ID15 = re.compile(rf"(?<![0-9])[1-9]\d{{5}}{_DATE6}\d{{3}}(?![0-9A-Za-z])")
#: Bank cards: 16–19 digits, plain or in groups of four; kept only when Luhn-valid.
_CARD = re.compile(r"(?<![0-9])\d{4}(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?(?![0-9])")
#: Unified social credit codes (GB 32100-2015); kept only when the check character is right.
_USCC = re.compile(r"(?<![0-9A-Za-z])\d{8}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Za-z])")
#: Mainland mobile numbers, optionally +86/0086/86 and spaces or dashes (3-4-4).
_MOBILE = re.compile(
    r"(?<![0-9])(?P<prefix>(?:\+|00)?86[ -]?)?(?P<number>1[3-9]\d[ -]?\d{4}[ -]?\d{4})(?![0-9])"
)
#: Landlines with an area code: 010/02x + 8 digits, 0xxx + 7-8 digits, "(0753)5512345".
_LANDLINE = re.compile(
    r"(?<![0-9])(?P<area>\(?0(?:10|2\d|[3-9]\d{2})\)?)(?P<sep>[ -]?)(?P<local>[2-9]\d{6,7})(?![0-9])"
)


def _digits(text: str) -> str:
    return "".join(c for c in text if c in "0123456789Xx")


#: Each mask gets the match on the folded text and the original text (same indices): the
#: parts kept (a "+86 " prefix, an area code) are copied from the original.


def _hide(value: str, head: int, tail: int) -> str:
    return value[:head] + "*" * max(len(value) - head - tail, 1) + value[len(value) - tail :]


def _core(digits: str) -> str:
    """A number without its country code (+86/0086), for comparing with the kept ones."""
    if len(digits) > 11 and digits.startswith("0086"):
        return digits[4:]
    if len(digits) == 13 and digits.startswith("86"):
        return digits[2:]
    return digits


def _kept(digits: str, keep: frozenset[str]) -> bool:
    """Whether a number is one published on purpose. A landline kept without its area code
    ("5522315") is kept with any area code ("0753-5522315")."""
    core = _core(digits)
    if core in keep:
        return True
    return core.startswith("0") and any(
        len(k) >= 7 and not k.startswith(("0", "1")) and core.endswith(k) for k in keep
    )


def _mask_id(match: re.Match, original: str) -> str | None:
    return mask_id_number(match.group().upper())


def _mask_card(match: re.Match, original: str) -> str | None:
    digits = _digits(match.group())
    if not 16 <= len(digits) <= 19 or not luhn.is_valid(digits):
        return None
    return _hide(digits, 4, 4)


def _mask_uscc(match: re.Match, original: str) -> str | None:
    code = match.group()
    return mask_id_number(code) if uscc.is_valid(code) else None


def _mask_mobile(match: re.Match, original: str) -> str | None:
    prefix = original[
        match.start("number") - len(match.group("prefix") or "") : match.start("number")
    ]
    return prefix + mask_phone(_digits(match.group("number")))


def _mask_landline(match: re.Match, original: str) -> str | None:
    kept = original[match.start() : match.start("local")]
    return kept + _hide(match.group("local"), 0, 2)


#: Most specific first: an ID number is masked before its digits could look like a card.
_RULES = (
    (_ID18, _mask_id),
    (_ID15, _mask_id),
    (_USCC, _mask_uscc),
    (_CARD, _mask_card),
    (_MOBILE, _mask_mobile),
    (_LANDLINE, _mask_landline),
)


def strip_controls(text: str) -> str:
    """Remove control characters (they break XML and hide text); keeps tab and line breaks."""
    return _CONTROL.sub("", text or "")


def redact_text(text: str | None, keep: Iterable[str] | Callable[[], Iterable[str]] = ()) -> str:
    """Mask phone, landline, resident ID, USCC and bank-card numbers inside free text.

    ``"请回电13800135678"`` → ``"请回电138****5678"``. Dates, amounts, short numbers and
    the numbers in ``keep`` or in the setting ``YIWANG_REDACTION_KEEP`` (official lines,
    written in any format) are left as they are. ``keep`` may be a function: it is called
    only when the text holds a number to mask (publishing text without one costs no query).
    """
    text = strip_controls(text or "")
    if not any(c.isdigit() for c in text):
        return text
    kept: frozenset[str] | None = None
    for pattern, mask in _RULES:
        folded = text.translate(_FOLD)
        out: list[str] = []
        last = 0
        for match in pattern.finditer(folded):
            masked = mask(match, text)
            if masked is None:
                continue
            if kept is None:
                listed = [*(keep() if callable(keep) else keep)]
                listed += getattr(settings, "YIWANG_REDACTION_KEEP", ())
                kept = frozenset(_core(d) for d in (_digits(str(n)) for n in listed) if d)
            if _kept(_digits(match.group()), kept):
                continue
            out.append(text[last : match.start()])
            out.append(masked)
            last = match.end()
        if out:
            text = "".join(out) + text[last:]
    return text
