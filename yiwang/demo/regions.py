"""Demo administrative divisions (``data/regions.json``): 广东省 → 梅州市 → 大埔县 → 14 镇 +
丰溪林场 → villages and communities."""

from __future__ import annotations

from .datafiles import read

_DATA = read("regions")

PROVINCE: tuple[str, str] = tuple(_DATA["province"])
CITY: tuple[str, str] = tuple(_DATA["city"])
COUNTY: tuple[str, str] = tuple(_DATA["county"])
#: (code, name) of the 14 towns and the forest farm.
TOWNS: list[tuple[str, str]] = [tuple(t) for t in _DATA["towns"]]
#: town code → (code, name) of its villages and communities.
VILLAGES: dict[str, list[tuple[str, str]]] = {
    town: [tuple(v) for v in villages] for town, villages in _DATA["villages"].items()
}


def all_regions() -> list[tuple[str, str, int, str | None]]:
    """(code, name, level, parent code), parents before children."""
    rows: list[tuple[str, str, int, str | None]] = [
        (PROVINCE[0], PROVINCE[1], 1, None),
        (CITY[0], CITY[1], 2, PROVINCE[0]),
        (COUNTY[0], COUNTY[1], 3, CITY[0]),
    ]
    rows += [(code, name, 4, COUNTY[0]) for code, name in TOWNS]
    for town_code, villages in VILLAGES.items():
        rows += [(code, name, 5, town_code) for code, name in villages]
    return rows
