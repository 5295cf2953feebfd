"""Demo departments, halls and windows (``data/orgs.json``) and their rows once loaded.

Every demo data file names departments by their key here (``scj``, ``huliao``, …); the
database knows them by their unified social credit code, halls by name and region.
"""

from __future__ import annotations

from typing import Any

from yiwang.orgs.models import Department, Hall

from .datafiles import read
from .regions import COUNTY

COUNTY_CODE = COUNTY[0]

#: key → name, short_name, uscc, region (code), phone, address.
DEPARTMENTS: dict[str, dict[str, Any]] = read("orgs")["departments"]
#: key → name, region (code), address, opening_hours, phone, windows [(number, name)].
HALLS: dict[str, dict[str, Any]] = {
    key: {**spec, "windows": [tuple(w) for w in spec["windows"]]}
    for key, spec in read("orgs")["halls"].items()
}


def departments_by_key() -> dict[str, Department]:
    """The demo departments that exist, by key."""
    by_uscc = {d.uscc: d for d in Department.objects.select_related("region")}
    return {
        key: by_uscc[spec["uscc"]] for key, spec in DEPARTMENTS.items() if spec["uscc"] in by_uscc
    }


def halls_by_key() -> dict[str, Hall]:
    """The demo halls that exist, by key."""
    halls = {(h.name, h.region.code): h for h in Hall.objects.select_related("region")}
    return {
        key: halls[(spec["name"], spec["region"])]
        for key, spec in HALLS.items()
        if (spec["name"], spec["region"]) in halls
    }
