"""The county's extent: the bounding box every reported location must fall in.

One setting, ``YIWANG_COUNTY_BOUNDS`` (latitude min/max, longitude min/max in decimal degrees),
used by the 12345 intake, the grid's points and grid boundaries alike: a county deploying the
platform sets its own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.conf import settings


@dataclass(frozen=True)
class Bounds:
    lat_min: float
    lat_max: float
    lng_min: float
    lng_max: float

    def contains(self, lat: float | Decimal, lng: float | Decimal) -> bool:
        return (
            self.lat_min <= float(lat) <= self.lat_max
            and self.lng_min <= float(lng) <= self.lng_max
        )

    def as_params(self) -> dict[str, float]:
        """For messages that tell the user the allowed ranges (``%(lat_min)s`` …)."""
        return asdict(self)


def county_bounds() -> Bounds:
    return Bounds(*settings.YIWANG_COUNTY_BOUNDS)


def in_county(lat: float | Decimal, lng: float | Decimal) -> bool:
    return county_bounds().contains(lat, lng)
