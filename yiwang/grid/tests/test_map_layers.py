"""The map's extra layers: town outlines from grids, the status legend, the tile settings."""

import itertools

from yiwang.grid import map_layers
from yiwang.grid.models import EventStatus

from .conftest import PASSWORD


def rect(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def _edges(lines):
    out = set()
    for line in lines:
        for a, b in itertools.pairwise(line):
            out.add(tuple(sorted([tuple(a), tuple(b)])))
    return out


def test_outline_of_two_neighbours_drops_their_shared_edge():
    left, right = rect(0, 0, 1, 1), rect(1, 0, 2, 1)
    lines = map_layers.outline([left, right])
    edges = _edges(lines)
    assert ((1.0, 0.0), (1.0, 1.0)) not in edges  # the inner border
    assert len(edges) == 6  # 2 × 4 sides − the shared one twice
    # chained into one closed line around both
    assert len(lines) == 1 and lines[0][0] == lines[0][-1]


def test_outline_keeps_apart_grids_apart_and_ignores_rounding_noise():
    a = rect(0, 0, 1, 1)
    b = rect(1.0000000001, 0, 2, 1)  # the same edge up to 1e-10
    c = rect(5, 5, 6, 6)
    lines = map_layers.outline([a, b, c])
    assert len(_edges(lines)) == 6 + 4
    assert len(lines) == 2


def test_outline_of_nothing_is_empty():
    assert map_layers.outline([]) == []
    assert map_layers.outline([{"type": "Polygon", "coordinates": []}]) == []


def test_legend_lists_every_status_once_in_case_order():
    statuses = [value for value, _label in map_layers.legend()["statuses"]]
    assert sorted(statuses) == sorted(EventStatus.values)
    assert statuses[0] == "collected" and statuses[-1] == "cancelled"


def test_tile_config_from_settings(settings):
    settings.YIWANG_MAP_TILE_URL = ""
    assert map_layers.tile_config()["url"] == ""
    settings.YIWANG_MAP_TILE_URL = "https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=K"
    settings.YIWANG_MAP_TILE_SUBDOMAINS = "01234567"
    settings.YIWANG_MAP_TILE_ATTRIBUTION = "天地图"
    settings.YIWANG_MAP_TILE_LABELS_URL = "https://t{s}.tianditu.gov.cn/cva_w/wmts?tk=K"
    config = map_layers.tile_config()
    assert config["subdomains"] == "01234567" and config["attribution"] == "天地图"
    assert config["labelsUrl"].startswith("https://t{s}.tianditu.gov.cn/cva_w")


def test_map_data_carries_town_outlines_and_due_dates(world, report, client):
    from yiwang.grid import actions

    event = report()
    event = actions.file_event(actor=world.dispatcher, event=event)
    event = actions.dispatch_event(actor=world.dispatcher, event=event, department=world.town)
    assert client.login(username=world.dispatcher.username, password=PASSWORD)
    features = client.get("/grid/map/data.geojson").json()["features"]
    towns = [f for f in features if f["properties"]["layer"] == "town"]
    assert [t["properties"]["name"] for t in towns] == ["湖寮镇", "高陂镇"]
    assert towns[0]["geometry"]["type"] == "MultiLineString"
    (case,) = [f for f in features if f["properties"]["layer"] == "event"]
    from django.utils import timezone

    assert case["properties"]["due"] == timezone.localdate(event.due_at).isoformat()
    assert case["properties"]["deadline"] in ("normal", "warning", "overdue")


def test_map_data_towns_follow_the_users_scope(world, client):
    assert client.login(username=world.dispatcher_gaobei.username, password=PASSWORD)
    features = client.get("/grid/map/data.geojson").json()["features"]
    assert [f["properties"]["name"] for f in features if f["properties"]["layer"] == "town"] == [
        "高陂镇"
    ]


def test_map_page_has_legend_and_cluster_script(world, client):
    assert client.login(username=world.dispatcher.username, password=PASSWORD)
    response = client.get("/grid/map/")
    html = response.content.decode()
    assert 'data-testid="map-legend"' in html
    assert html.count('class="map-pin status-') == len(EventStatus.values) + 2
    assert "/leaflet.markercluster.js" in html
    config = response.context["config"]
    assert config["tiles"]["url"] == "" and "%(count)s" in config["labels"]["cluster"]
