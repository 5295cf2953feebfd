"""The reference data the catalogue needs: the classification tree (``data/
classifications.json``) and one grade policy per grade with its defaults.

Migration ``0002`` seeds both on every database. ``actions.ensure_reference_data`` puts back
what is missing (a database flushed by tests or restored without it), never changing a row
that exists: the authority's policy edits stay.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "classifications.json"

#: grade → (loosest sharing type, may be opened, default mask, approval route)
GRADE_DEFAULTS: dict[str, tuple[str, bool, str, str]] = {
    "g1": ("unconditional", True, "none", "authority"),
    "g2": ("unconditional", True, "none", "authority"),
    "g3": ("conditional", False, "none", "authority_provider"),
    "g4": ("conditional", False, "hidden", "authority_provider"),
    "important": ("conditional", False, "hidden", "authority_provider"),
    "core": ("none", False, "hidden", "authority_provider"),
}


@cache
def classification_specs() -> tuple[dict, ...]:
    """``{"code", "name", "parent"}`` for every node, parents first."""
    return tuple(json.loads(DATA.read_text(encoding="utf-8"))["classifications"])
