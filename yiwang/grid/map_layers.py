"""What the city-management map draws besides the case markers: the base layer settings, the
status legend and the town outlines.

The base layer: ``YIWANG_MAP_TILE_URL`` (a Leaflet URL template, ``{s}`` for subdomains),
``YIWANG_MAP_TILE_SUBDOMAINS``, ``YIWANG_MAP_TILE_ATTRIBUTION`` and an optional label layer
``YIWANG_MAP_TILE_LABELS_URL`` (天地图 serves roads and names as a second layer). Empty URL: no
tiles at all, the GeoJSON on a plain background (works offline).

Town outlines: there is no town boundary in the region table, so a town is drawn as the
outer edge of its grids (edges two grids share are inner borders and cancel out). Grids
that tile a town exactly give its exact outline; gaps between grids show as they are.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import pairwise

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import DeadlineStatus, EventStatus, Grid

#: Legend order: the life of a case. Colours live in grid.css (.map-pin.status-<value>).
STATUS_ORDER = [
    EventStatus.COLLECTED,
    EventStatus.FILED,
    EventStatus.DISPATCHED,
    EventStatus.HANDLED,
    EventStatus.VERIFIED,
    EventStatus.CLOSED,
    EventStatus.EVALUATED,
    EventStatus.CANCELLED,
]

# Coordinates are rounded to this many decimals (~0.1 m) before edges are compared.
PRECISION = 6


def tile_config() -> dict:
    """The base layer for Leaflet; empty ``url`` means the offline plain background."""
    subdomains = getattr(settings, "YIWANG_MAP_TILE_SUBDOMAINS", "") or "abc"
    return {
        "url": getattr(settings, "YIWANG_MAP_TILE_URL", ""),
        "labelsUrl": getattr(settings, "YIWANG_MAP_TILE_LABELS_URL", ""),
        "subdomains": subdomains,
        "attribution": getattr(settings, "YIWANG_MAP_TILE_ATTRIBUTION", ""),
        "maxZoom": int(getattr(settings, "YIWANG_MAP_TILE_MAX_ZOOM", 18)),
    }


def legend() -> dict:
    """Statuses (value, label) in legend order and the deadline marks."""
    labels = dict(EventStatus.choices)
    return {
        "statuses": [(str(s), labels[s]) for s in STATUS_ORDER],
        "deadlines": [
            (DeadlineStatus.OVERDUE.value, DeadlineStatus.OVERDUE.label),
            (DeadlineStatus.WARNING.value, DeadlineStatus.WARNING.label),
        ],
    }


def _key(position) -> tuple[float, float]:
    return (round(float(position[0]), PRECISION), round(float(position[1]), PRECISION))


def outline(polygons: Iterable[dict]) -> list[list[list[float]]]:
    """The outer edges of GeoJSON Polygons as lines: shared edges cancel out."""
    count: Counter = Counter()
    for polygon in polygons:
        for ring in polygon.get("coordinates") or []:
            for a, b in pairwise(ring):
                ka, kb = _key(a), _key(b)
                if ka != kb:
                    count[(ka, kb) if ka <= kb else (kb, ka)] += 1
    edges = [edge for edge, n in count.items() if n == 1]
    # Chain the edges into as few lines as possible (a dashed line then dashes evenly).
    at: dict[tuple, list[int]] = defaultdict(list)
    for i, (a, b) in enumerate(edges):
        at[a].append(i)
        at[b].append(i)
    used = [False] * len(edges)
    lines = []
    for start in range(len(edges)):
        if used[start]:
            continue
        used[start] = True
        a, b = edges[start]
        line = [a, b]
        while True:
            tail = line[-1]
            nxt = next((i for i in at[tail] if not used[i]), None)
            if nxt is None:
                break
            used[nxt] = True
            p, q = edges[nxt]
            line.append(q if p == tail else p)
        lines.append([list(p) for p in line])
    return lines


def town_features(grids: Iterable[Grid]) -> list[dict]:
    """One MultiLineString feature per town, from its grids (village__parent must be loaded)."""
    by_town: dict[int, list[Grid]] = defaultdict(list)
    towns = {}
    for grid in grids:
        town = grid.village.parent
        if town is None:
            continue
        towns[town.pk] = town
        by_town[town.pk].append(grid)
    features = []
    for pk in sorted(by_town, key=lambda k: towns[k].code):
        lines = outline(g.polygon for g in by_town[pk])
        if not lines:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "MultiLineString", "coordinates": lines},
                "properties": {"layer": "town", "code": towns[pk].code, "name": towns[pk].name},
            }
        )
    return features


def labels() -> dict:
    """Words the map script shows (translated here: the script has no catalogue)."""
    return {
        "grid": _("Grid"),
        "town": _("Town"),
        "village": _("Village or community"),
        "status": _("Status"),
        "due": pgettext("city event", "Due"),
        "openCase": _("Open the case"),
        # The count goes inside the sentence ("%(count)s" is replaced in the browser).
        "shown": _("%(count)s cases shown"),
        "cluster": _("%(count)s cases here: zoom in"),
        "workers": _("Grid workers"),
        "deadline": {
            DeadlineStatus.NORMAL.value: str(DeadlineStatus.NORMAL.label),
            DeadlineStatus.WARNING.value: str(DeadlineStatus.WARNING.label),
            DeadlineStatus.OVERDUE.value: str(DeadlineStatus.OVERDUE.label),
        },
    }
