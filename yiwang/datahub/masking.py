"""Masking a data item's values by its ``mask`` (GB/T 37964-style de-identification).

Pure functions, no database. The personal-number masks are the platform's own
(``yiwang.gmcrypto.masking``), so a value looks the same on every page:

- ``id_number``: ``44142219900101123X`` → ``441422********123X``
- ``phone``: ``13812345678`` → ``138****5678``
- ``name``: ``张三`` → ``张*``
- ``uscc``: ``91441422MA52X60Q7D`` → ``914414********0Q7D``
- ``bank_account``: ``6222021234567890123`` → ``6222 **** **** 0123``
- ``address``: kept up to the town or street (镇/乡/街道), the rest hidden:
  ``大埔县湖寮镇同仁路128号`` → ``大埔县湖寮镇****``
- ``hidden``: ``HIDDEN`` whatever the value.

``None`` and empty strings stay as they are (a missing value is not a secret).
"""

from __future__ import annotations

import re
from typing import Any

from yiwang.gmcrypto import masking as gm

from .choices import Mask

#: What a hidden value shows; the same for every value, so it tells nothing.
HIDDEN = "******"
#: What replaces the hidden part of an address (fixed, so it does not tell the length).
ADDRESS_TAIL = "****"

# The first town or street of an address: the end of what may be shown.
_TOWN = re.compile(r"^.*?(?:街道|镇|乡)")
# Without a town: the county or district (or city) is the most that is shown.
_COUNTY = re.compile(r"^.*(?:县|区|市)")


def mask_address(value: str) -> str:
    """The address up to its town or street, the rest replaced by ``****``."""
    value = (value or "").strip()
    if not value:
        return value
    match = _TOWN.match(value) or _COUNTY.match(value)
    kept = match.group() if match else value[:2]
    if kept == value:
        # Nothing below the town was written: showing it hides nothing more.
        return value
    return kept + ADDRESS_TAIL


_MASKS = {
    Mask.ID_NUMBER: lambda v: gm.mask_id_number(v.upper()),
    Mask.PHONE: gm.mask_phone,
    Mask.NAME: gm.mask_name,
    Mask.USCC: lambda v: gm.mask_uscc(v.upper()),
    Mask.BANK_ACCOUNT: gm.mask_bank_account,
    Mask.ADDRESS: mask_address,
}


def mask_value(value: Any, mask: str) -> Any:
    """``value`` as an item with ``mask`` may show it (see the module docstring)."""
    if value is None or value == "":
        return value
    mask = Mask(mask)
    if mask == Mask.NONE:
        return value
    if mask == Mask.HIDDEN:
        return HIDDEN
    return _MASKS[mask](str(value).strip())
