"""Per-value checks, compiled once per run: each is ``value -> None`` (passes) or the
message of the problem. Pure: no database.

A run applies them to every row, so they avoid work per value: messages are translated when
the check is compiled, not per failure (and never repeat the value: issues are stored);
patterns are compiled once; the resident-ID check looks birth dates and region codes up
once per distinct value; the USCC check decides valid codes exactly as ``stdnum`` does with
a precomputed table, and asks ``stdnum`` only about the codes that fail, to say why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum import numdb
from stdnum.cn import ric, uscc

from yiwang.accounts.models import normalise_resident_id
from yiwang.datahub.hub.values import as_text

Check = Callable[[Any], str | None]

# --- resident ID numbers (GB 11643) --------------------------------------------------------
#
# The platform's rule for a valid number is the one registration applies
# (``accounts.models.validate_resident_id``): 18 characters, 17 digits and a digit or X, the
# MOD 11-2 check digit (``stdnum.cn.ric``), a real birth date not in the future, and a region
# code that ``stdnum``'s division table lists as a county in any year. (``ric.validate``
# requires the code to have existed in the birth year, but a number carries the code of the
# place where it was issued: 大埔县 has been 441422 only since 1988.) Dates and region codes
# are looked up once per distinct value.

_RIC_FORM = re.compile(r"[0-9]{17}[0-9X]")
_dates: dict[str, bool] = {}
_divisions: dict[str, bool] = {}
#: Bounds of the lookup caches: a county has a few hundred codes and ~40,000 birth dates.
_CACHE_LIMIT = 200_000


def _remember(cache: dict, key: str, value: bool) -> bool:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def _real_date(digits: str) -> bool:
    known = _dates.get(digits)
    if known is not None:
        return known
    try:
        dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return _remember(_dates, digits, False)
    return _remember(_dates, digits, True)


def _known_division(code: str) -> bool:
    known = _divisions.get(code)
    if known is not None:
        return known
    info = {k: v for _part, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    return _remember(_divisions, code, bool(info.get("county")))


def id_number_check() -> Check:
    length = _("Not 18 characters long.")
    form = _("The first 17 characters must be digits and the last one a digit or X.")
    checksum = _("The check digit is wrong.")
    unreal = _("The birth date in it is not a real date.")
    future = _("The birth date in it is in the future.")
    region = _("The region code (the first 6 digits) is not a county-level division.")
    today = timezone.localdate().strftime("%Y%m%d")

    def check(value: Any) -> str | None:
        number = value.upper() if isinstance(value, str) else as_text(value)
        if not _RIC_FORM.fullmatch(number):
            number = normalise_resident_id(number)
            if len(number) != 18:
                return length
            if not _RIC_FORM.fullmatch(number):
                return form
        if ric.calc_check_digit(number) != number[17]:
            return checksum
        born = number[6:14]
        if not _real_date(born):
            return unreal
        if born > today:
            return future
        if not _known_division(number[:6]):
            return region
        return None

    return check


# --- unified social credit codes (GB 32100) ------------------------------------------------

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_FORM = re.compile(r"[0-9]{8}[0-9ABCDEFGHJKLMNPQRTUWXY]{10}")


def uscc_fast_valid(code: str) -> bool:
    """True exactly when ``stdnum.cn.uscc.validate`` accepts a compact upper-case code."""
    if len(code) != 18 or _USCC_FORM.fullmatch(code) is None:
        return False
    value = _USCC_VALUE
    total = sum(value[c] * w for c, w in zip(code, _USCC_WEIGHTS, strict=False))
    return _USCC_ALPHABET[(31 - total) % 31] == code[17]


def uscc_check() -> Check:
    messages = {
        stdnum_errors.InvalidLength: _("Not 18 characters long."),
        stdnum_errors.InvalidFormat: _(
            "The first 8 characters must be digits, the rest digits or capital letters "
            "other than I, O, S, V and Z."
        ),
        stdnum_errors.InvalidChecksum: _("The check character is wrong."),
    }
    fallback = _("Not a valid unified social credit code.")

    def check(value: Any) -> str | None:
        text = value if isinstance(value, str) else as_text(value)
        if uscc_fast_valid(text.upper()):
            return None
        try:
            uscc.validate(text)
        except stdnum_errors.ValidationError as error:
            return messages.get(type(error), fallback)
        return None

    return check


# --- the other value rules -----------------------------------------------------------------


def regex_check(pattern: str) -> Check:
    compiled = re.compile(pattern)
    message = _("Does not match the pattern %(pattern)s.") % {"pattern": pattern[:60]}

    def check(value: Any) -> str | None:
        text = value if isinstance(value, str) else as_text(value)
        return None if compiled.fullmatch(text) else message

    return check


def range_check(low: Any, high: Any) -> Check:
    """``low``/``high`` are converted values of the column's type (or None: no bound)."""
    too_low = _("Less than the minimum %(min)s.") % {"min": as_text(low)}
    too_high = _("More than the maximum %(max)s.") % {"max": as_text(high)}

    def check(value: Any) -> str | None:
        if low is not None and value < low:
            return too_low
        if high is not None and value > high:
            return too_high
        return None

    return check


def enum_check(allowed: Collection[str], *, text_column: bool) -> Check:
    """``allowed``: the canonical texts (``as_text``) of the allowed values."""
    values = frozenset(allowed)
    shown = "、".join(sorted(values)[:10])
    message = _("Not one of the allowed values (%(values)s).") % {"values": shown}

    if text_column:
        return lambda value: None if value in values else message
    return lambda value: None if as_text(value) in values else message


def unique_check() -> Check:
    """Fails a value seen before in this run: the first row with it passes, each later one
    fails (so the failures count the extra copies)."""
    seen: set = set()
    message = _("The same value is in an earlier row.")

    def check(value: Any) -> str | None:
        if value in seen:
            return message
        seen.add(value)
        return None

    return check


def reference_check(keys: Callable[[], Collection[str]], code: str) -> Check:
    """The value must be a key of resource ``code``; ``keys`` loads them on first use."""
    loaded: list[Collection[str]] = []
    message = _("No row of resource %(code)s has this key.") % {"code": code}

    def check(value: Any) -> str | None:
        if not loaded:
            loaded.append(keys())
        text = value if isinstance(value, str) else as_text(value)
        return None if text in loaded[0] else message

    return check


def always_passes(_value: Any) -> str | None:
    return None
