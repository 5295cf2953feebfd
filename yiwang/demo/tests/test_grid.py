"""The grid demo loads on top of the kernel demo, idempotently, and feeds 12345."""

from yiwang.accounts.models import User
from yiwang.demo import loader
from yiwang.demo.grid import load_grid
from yiwang.demo.hotline import load_hotline
from yiwang.grid.models import CityEvent, Component, Grid, GridAssignment, Place, SensorDevice
from yiwang.hotline.models import Ticket


def test_demo_loads_idempotently(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    admin, _ = loader.ensure_admin()
    loader.load_regions(admin)
    loader.load_orgs(admin)
    loader.load_people(admin)
    first = load_grid(admin)
    assert first["grids"] == 12 and first["components"] == 20 and first["places"] == 5
    assert first["devices"] == 3 and first["events"] >= 15
    assert first["tickets"] == 0  # no 12345 categories without the hotline demo
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
    # Everything is filed under the GB/T 30428 code lists; 餐饮油烟 is 0116 油烟污染.
    assert not Component.objects.filter(subclass__isnull=True).exists()
    for component in Component.objects.select_related("subclass"):
        assert component.code.split("-")[1] == component.subclass.code, component.code
    fumes = CityEvent.objects.get(subclass__case_class__kind="event", subclass__code="0116")
    assert "油烟" in fumes.description and fumes.status == "dispatched"
    second = load_grid(admin)
    assert set(second.values()) == {0}
    assert (Grid.objects.count(), Component.objects.count(), Place.objects.count()) == (12, 20, 5)
    assert SensorDevice.objects.count() == 3


def test_demo_uses_the_grid_and_sensor_channels_of_12345(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    admin, _ = loader.ensure_admin()
    loader.load_regions(admin)
    loader.load_orgs(admin)
    loader.load_people(admin)
    load_hotline(admin)
    assert load_grid(admin)["tickets"] == 2
    request = Ticket.objects.get(channel="grid")
    assert request.registered_by.username == "grid_huliao" and request.region.name == "城西社区"
    noise = Ticket.objects.get(channel="sensor")
    assert noise.category.code == "010103" and noise.sensor_alerts.count() == 1
    assert load_grid(admin)["tickets"] == 0
