"""The demo's data files (``data/<name>.json``), read once per process.

Everything the demo creates is data in those files; the modules of this package only load
it through the apps' actions. Each file opens with an ``about`` text describing its fields.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def read(name: str) -> dict[str, Any]:
    """The parsed ``data/<name>.json``; shared between callers, so never modify it."""
    with (DATA_DIR / f"{name}.json").open(encoding="utf-8") as fh:
        return json.load(fh)
