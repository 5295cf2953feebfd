"""Alert routers: another app takes the sensor alerts it wants without the grid importing it
(the hotline's router is tested with the hotline). Here: stand-in routers."""

import json
import logging

import pytest
from django.core.exceptions import ValidationError

from yiwang.audit.models import AuditEntry
from yiwang.grid import actions, mqtt
from yiwang.grid.actions import sensors
from yiwang.grid.models import CityEvent, Place, SensorAlert

PAYLOAD = {"device_id": "NS-HL-9", "type": "noise", "value": 80, "threshold": 65}


@pytest.fixture
def device(world):
    return actions.register_device(
        actor=world.admin, device_id="NS-HL-9", sensor_type="noise", lat=24.352, lng=116.712
    )


@pytest.fixture
def routers(monkeypatch):
    """Only the routers a test registers (the installed hotline's is left out)."""
    registered: list = []
    monkeypatch.setattr(sensors, "ALERT_ROUTERS", registered)
    return registered


def test_a_router_that_takes_the_alert_gets_what_it_needs(world, device, routers):
    seen = []

    def take(alert, context):
        seen.append((alert, context))
        return True

    actions.register_alert_router(take)
    alert = actions.ingest_sensor_alert(PAYLOAD)
    ((offered, context),) = seen
    assert offered is alert and offered.sensor_type == "noise" and offered.pk is not None
    assert context.device == device and context.grid == world.grid_a
    assert (context.lat, context.lng) == (24.352, 116.712)
    assert "NS-HL-9" in context.description
    assert alert.accepted and alert.event is None and not CityEvent.objects.exists()
    assert AuditEntry.objects.filter(action="grid.sensor_alert", object_id=str(alert.pk)).exists()


def test_alerts_no_router_takes_become_city_cases(world, device, routers):
    actions.register_alert_router(lambda alert, context: False)
    alert = actions.ingest_sensor_alert(PAYLOAD)
    assert alert.event is not None and alert.event.source == "sensor"
    assert alert.event.grid == world.grid_a and alert.ticket is None


def test_a_failing_router_leaves_nothing_and_the_alert_becomes_a_case(
    world, device, routers, caplog
):
    def half_done(alert, context):
        Place.objects.create(name="写了一半", kind="other", grid=context.grid)
        alert.duplicate = True
        raise ValidationError({"category": ["no such category"]})

    actions.register_alert_router(half_done)
    with caplog.at_level(logging.ERROR, logger="yiwang.grid.actions.sensors"):
        alert = actions.ingest_sensor_alert(PAYLOAD)
    assert not Place.objects.exists()  # the router's savepoint was rolled back
    assert alert.event is not None and not alert.duplicate
    assert SensorAlert.objects.get().event == alert.event
    assert "half_done" in caplog.text and "becomes a city case" in caplog.text


def test_routers_are_asked_in_order_and_registered_once(world, device, routers):
    asked = []

    def first(alert, context):
        asked.append("first")
        return False

    def second(alert, context):
        asked.append("second")
        return True

    actions.register_alert_router(first)
    actions.register_alert_router(second)
    actions.register_alert_router(first)
    assert routers == [first, second]
    actions.ingest_sensor_alert(PAYLOAD)
    assert asked == ["first", "second"] and not CityEvent.objects.exists()


def test_rejected_alerts_are_offered_to_no_router(world, routers):
    actions.register_alert_router(lambda alert, context: pytest.fail("offered a bad alert"))
    alert = actions.ingest_sensor_alert({**PAYLOAD, "value": "loud"})
    assert not alert.accepted and alert.event is None


def test_mqtt_logs_an_alert_a_router_took_without_linking_it(world, device, routers, monkeypatch):
    """A router may take an alert without a ticket: the subscriber's log line must not fail
    on it (it did, counting the message as failed)."""
    # the test's transaction is the subscriber's connection here; it must stay open
    monkeypatch.setattr(mqtt, "close_old_connections", lambda: None)
    actions.register_alert_router(lambda alert, context: True)
    subscriber = mqtt.Subscriber(mqtt.BrokerConfig())
    alert = subscriber.handle("yiwang/sensors/NS-HL-9", json.dumps(PAYLOAD).encode())
    assert alert is not None and alert.accepted and alert.event is None
    assert subscriber.failed == 0 and subscriber.processed == 1
