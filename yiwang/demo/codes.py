"""Check-digit helpers used to generate (and to verify) the demo identifiers.

The demo data modules store the resulting codes as literals; these helpers are
only needed to make new ones and in the tests.
"""

from __future__ import annotations

import datetime

from stdnum.cn import ric, uscc

# GB 11714-1997 organisation code: 8 body characters + 1 check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_value(char: str) -> int:
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    raise ValueError(f"invalid organisation code character {char!r}")


def organisation_check(body: str) -> str:
    """The GB 11714 check character for an 8-character organisation code body."""
    body = body.upper()
    if len(body) != 8:
        raise ValueError("an organisation code body has 8 characters")
    c = 11 - sum(_org_value(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def is_valid_organisation_code(code: str) -> bool:
    return len(code) == 9 and code[-1] == organisation_check(code[:8])


def make_uscc(authority: str, category: str, division: str, org_body: str) -> str:
    """A GB 32100 code: authority + category + division + organisation code + check."""
    org = org_body.upper() + organisation_check(org_body)
    partial = f"{authority}{category}{division}{org}"
    if len(partial) != 17:
        raise ValueError("authority, category, division and organisation code make 17 characters")
    code = partial + uscc.calc_check_digit(partial)
    assert uscc.is_valid(code), code
    return code


def make_resident_id(division: str, birth: datetime.date, sequence: int) -> str:
    """A GB 11643 number. ``sequence`` is 0–999; odd for men, even for women."""
    partial = f"{division}{birth:%Y%m%d}{sequence:03d}"
    code = partial + ric.calc_check_digit(partial + "0")
    assert ric.is_valid(code), code
    return code


def is_female_id(id_number: str) -> bool:
    return int(id_number[16]) % 2 == 0
