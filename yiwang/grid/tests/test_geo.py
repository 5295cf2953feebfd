import pytest
from django.core.exceptions import ValidationError

from yiwang.grid import actions, geo
from yiwang.grid.tests.shapes import square


def test_valid_polygon_and_contains():
    polygon = square(24.35, 116.70)
    geo.validate_polygon(polygon)
    assert geo.contains(polygon, 24.35, 116.70)
    assert not geo.contains(polygon, 24.40, 116.70)


def test_polygon_with_hole():
    outer = square(24.35, 116.70, 0.01)["coordinates"][0]
    hole = square(24.35, 116.70, 0.002)["coordinates"][0]
    polygon = {"type": "Polygon", "coordinates": [outer, hole]}
    geo.validate_polygon(polygon)
    assert not geo.contains(polygon, 24.35, 116.70)
    assert geo.contains(polygon, 24.357, 116.70)


@pytest.mark.parametrize(
    ("polygon", "message"),
    [
        ({"type": "Point", "coordinates": [116.7, 24.35]}, "GeoJSON"),
        ([[116.7, 24.35]], "GeoJSON"),
        ({"type": "Polygon", "coordinates": []}, "no coordinates"),
        (
            {"type": "Polygon", "coordinates": [[[116.7, 24.3], [116.71, 24.3], [116.7, 24.3]]]},
            "at least 4",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[116.7, 24.3], [116.71, 24.3], [116.71, 24.31], [116.7, 24.31]]],
            },
            "not closed",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[24.3, 116.7], [24.3, 116.71], [24.31, 116.71], [24.3, 116.7]]],
            },
            "longitude first",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[116.7, 24.3], ["a", 24.3], [116.71, 24.31], [116.7, 24.3]]],
            },
            "not a \\[longitude, latitude\\]",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[116.7, 24.3], [True, 24.3], [116.71, 24.31], [116.7, 24.3]]],
            },
            "not a \\[longitude, latitude\\]",
        ),
    ],
)
def test_bad_polygons(polygon, message):
    with pytest.raises(ValidationError, match=message):
        geo.validate_polygon(polygon)


def test_clean_point():
    assert geo.clean_point("24.35", "116.7") == (24.35, 116.7)
    with pytest.raises(ValidationError) as exc:
        geo.clean_point("abc", "")
    assert set(exc.value.message_dict) == {"lat", "lng"}
    with pytest.raises(ValidationError, match="outside Dabu County"):
        geo.clean_point(116.7, 24.35)  # swapped


def test_create_grid_validates(world):
    with pytest.raises(ValidationError) as exc:
        actions.create_grid(
            actor=world.admin,
            code="HL-01",
            name="",
            village=world.huliao,
            polygon={"type": "Polygon"},
        )
    assert set(exc.value.message_dict) == {"code", "name", "village", "polygon"}
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.create_grid(
            actor=world.worker,
            code="HL-09",
            name="x",
            village=world.chengdong,
            polygon=square(24.35, 116.7),
        )
    assert actions.locate(24.16, 116.73) == world.grid_g
    assert actions.locate(24.7, 116.9) is None
