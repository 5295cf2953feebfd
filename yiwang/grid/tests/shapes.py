"""Polygons for the grid tests."""

HALF = 0.006  # half the side of a test grid square, in degrees


def square(lat: float, lng: float, half: float = HALF) -> dict:
    """A GeoJSON polygon: the square of side 2 × ``half`` degrees centred on the point."""
    ring = [
        [round(lng - half, 6), round(lat - half, 6)],
        [round(lng + half, 6), round(lat - half, 6)],
        [round(lng + half, 6), round(lat + half, 6)],
        [round(lng - half, 6), round(lat + half, 6)],
        [round(lng - half, 6), round(lat - half, 6)],
    ]
    return {"type": "Polygon", "coordinates": [ring]}
