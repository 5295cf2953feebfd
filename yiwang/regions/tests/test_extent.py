"""The county's bounding box is one setting, used by the 12345 intake and the grid alike."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from yiwang.grid import geo
from yiwang.regions.extent import county_bounds, in_county


def test_the_demo_county_is_dabu():
    bounds = county_bounds()
    assert in_county(24.35, 116.70) and in_county(Decimal("24.35"), Decimal("116.70"))
    assert not in_county(23.13, 113.26)  # 广州
    assert bounds.as_params() == {
        "lat_min": 24.0,
        "lat_max": 24.75,
        "lng_min": 116.3,
        "lng_max": 117.0,
    }


def test_another_county_sets_its_own_bounds(settings):
    settings.YIWANG_COUNTY_BOUNDS = (23.0, 23.5, 113.0, 113.5)
    assert in_county(23.13, 113.26) and not in_county(24.35, 116.70)
    assert geo.clean_point("23.13", "113.26") == (23.13, 113.26)
    with pytest.raises(ValidationError) as refused:
        geo.clean_point("24.35", "116.70")
    assert "23.0" in str(refused.value) and "113.5" in str(refused.value)
