"""Validation of item fields and materials, shared by the actions, the back office and Excel.

Functions return errors keyed by field (or by material index) so callers can show every
problem at once; the actions raise them as one ``ValidationError``. Modules:
:mod:`.items` (the item's fields), :mod:`.references` (foreign keys, parent, uniqueness of
the code), :mod:`.materials`.
"""

from .items import (
    CHANNELS,
    IDENTITY_FIELDS,
    ITEM_FIELDS,
    LABELS,
    clean_item_fields,
    raise_if,
)
from .materials import MATERIAL_KEYS, material_errors
from .references import FK_FIELDS

__all__ = [
    "CHANNELS",
    "FK_FIELDS",
    "IDENTITY_FIELDS",
    "ITEM_FIELDS",
    "LABELS",
    "MATERIAL_KEYS",
    "clean_item_fields",
    "material_errors",
    "raise_if",
]
