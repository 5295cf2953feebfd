"""Geometry for grids: GeoJSON polygon validation, the county's bounding box, point in polygon.

Coordinates follow GeoJSON: positions are ``[longitude, latitude]``.
"""

from __future__ import annotations

import math
from numbers import Real

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yiwang.regions.extent import county_bounds, in_county

MAX_POSITIONS = 2000


def _is_number(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def clean_point(lat, lng, field_prefix: str = "") -> tuple[float, float]:
    """Latitude and longitude as floats inside the county, or a specific ValidationError."""
    errors: dict[str, list[str]] = {}
    values = {}
    for name, raw in (("lat", lat), ("lng", lng)):
        if raw is None or raw == "":
            errors[field_prefix + name] = [
                _("Give the %(what)s of the location (a decimal number, e.g. %(example)s).")
                % {
                    "what": _("latitude") if name == "lat" else _("longitude"),
                    "example": "24.35" if name == "lat" else "116.70",
                }
            ]
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            errors[field_prefix + name] = [
                _("The %(what)s “%(value)s” is not a number.")
                % {"what": _("latitude") if name == "lat" else _("longitude"), "value": raw}
            ]
            continue
        if not math.isfinite(value):
            errors[field_prefix + name] = [_("The coordinates must be finite numbers.")]
            continue
        values[name] = value
    if not errors and not in_county(values["lat"], values["lng"]):
        errors[field_prefix + "lat"] = [
            _(
                "The location (%(lat).5f, %(lng).5f) is outside Dabu County (latitude %(lat_min)s–%(lat_max)s N, "
                "longitude %(lng_min)s–%(lng_max)s E). Check the coordinates (latitude first) and try again."
            )
            % {
                "lat": values["lat"],
                "lng": values["lng"],
                **county_bounds().as_params(),
            }
        ]
    if errors:
        raise ValidationError(errors)
    return round(values["lat"], 6), round(values["lng"], 6)


def validate_polygon(value) -> None:
    """A GeoJSON Polygon: closed rings of ≥ 4 positions, every position inside the county."""
    if not isinstance(value, dict) or value.get("type") != "Polygon":
        raise ValidationError(
            _(
                'The grid boundary must be a GeoJSON object {"type": "Polygon", "coordinates": [...]}.'
            ),
            code="polygon_type",
        )
    rings = value.get("coordinates")
    if not isinstance(rings, list) or not rings:
        raise ValidationError(
            _(
                "The polygon has no coordinates: give at least one ring of [longitude, latitude] positions."
            ),
            code="polygon_empty",
        )
    total = 0
    for number, ring in enumerate(rings, start=1):
        if not isinstance(ring, list) or len(ring) < 4:
            raise ValidationError(
                _(
                    "Ring %(n)d of the polygon needs at least 4 positions (3 corners and the first corner "
                    "repeated at the end)."
                )
                % {"n": number},
                code="polygon_short",
            )
        total += len(ring)
        if total > MAX_POSITIONS:
            raise ValidationError(
                _("The polygon has too many positions (at most %(max)d); simplify it.")
                % {"max": MAX_POSITIONS},
                code="polygon_large",
            )
        for index, position in enumerate(ring, start=1):
            if (
                not isinstance(position, list | tuple)
                or len(position) not in (2, 3)
                or not all(_is_number(c) for c in position)
            ):
                raise ValidationError(
                    _(
                        "Position %(i)d of ring %(n)d is not a [longitude, latitude] pair of numbers."
                    )
                    % {"i": index, "n": number},
                    code="polygon_position",
                )
            lng, lat = position[0], position[1]
            if not in_county(lat, lng):
                raise ValidationError(
                    _(
                        "Position %(i)d of ring %(n)d ([%(lng)s, %(lat)s]) is outside Dabu County "
                        "(longitude %(lng_min)s–%(lng_max)s, latitude %(lat_min)s–%(lat_max)s). GeoJSON "
                        "puts the longitude first."
                    )
                    % {
                        "i": index,
                        "n": number,
                        "lng": lng,
                        "lat": lat,
                        **county_bounds().as_params(),
                    },
                    code="polygon_outside",
                )
        if list(ring[0])[:2] != list(ring[-1])[:2]:
            raise ValidationError(
                _(
                    "Ring %(n)d of the polygon is not closed: its last position must equal its first."
                )
                % {"n": number},
                code="polygon_open",
            )


def bbox(polygon: dict) -> tuple[float, float, float, float]:
    """(min_lng, min_lat, max_lng, max_lat) of the exterior ring."""
    ring = polygon["coordinates"][0]
    lngs = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return min(lngs), min(lats), max(lngs), max(lats)


def _in_ring(lng: float, lat: float, ring) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lng < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def contains(polygon: dict, lat: float, lng: float) -> bool:
    """Whether the point lies inside the polygon (exterior ring minus holes)."""
    rings = polygon["coordinates"]
    if not _in_ring(lng, lat, rings[0]):
        return False
    return not any(_in_ring(lng, lat, hole) for hole in rings[1:])


def centroid(polygon: dict) -> tuple[float, float]:
    """A representative (lat, lng): the mean of the exterior ring's corners."""
    ring = polygon["coordinates"][0][:-1]
    return (
        sum(p[1] for p in ring) / len(ring),
        sum(p[0] for p in ring) / len(ring),
    )
