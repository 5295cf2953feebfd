from yiwang.accounts.models import User
from yiwang.demo import loader
from yiwang.grid.demo import load_grid
from yiwang.grid.models import CityEvent, Component, Grid, GridAssignment, Place, SensorDevice


def test_demo_loads_idempotently(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    admin, _ = loader.ensure_admin()
    loader.load_regions(admin)
    loader.load_orgs(admin)
    loader.load_people(admin)
    first = load_grid(admin)
    assert first["grids"] == 12 and first["components"] == 20 and first["places"] == 5
    assert first["devices"] == 2 and first["events"] >= 15
    assert Grid.objects.filter(village__parent__name="湖寮镇").count() >= 6
    assert Grid.objects.filter(village__parent__name="高陂镇").count() >= 3
    assert Grid.objects.filter(village__parent__name="茶阳镇").count() >= 3
    worker = User.objects.get(username="grid_huliao")
    assert GridAssignment.objects.filter(user=worker).count() == 6
    statuses = set(CityEvent.objects.values_list("status", flat=True))
    assert statuses >= {
        "collected",
        "filed",
        "dispatched",
        "handled",
        "verified",
        "closed",
        "evaluated",
        "cancelled",
    }
    assert CityEvent.objects.filter(rework_count=1, status="dispatched").exists()
    assert CityEvent.objects.filter(source="sensor").count() == 1
    second = load_grid(admin)
    assert set(second.values()) == {0}
    assert (Grid.objects.count(), Component.objects.count(), Place.objects.count()) == (12, 20, 5)
    assert SensorDevice.objects.count() == 2
