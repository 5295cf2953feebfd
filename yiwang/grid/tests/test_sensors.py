"""Sensor intake: the action, the webhook (auth, malformed, de-duplication)."""

import json

import pytest

from yiwang.grid import actions
from yiwang.grid.models import CityEvent, SensorAlert, SensorDevice

TOKEN = "s3cret-sensor-token"


@pytest.fixture
def device(world):
    return actions.register_device(
        actor=world.admin,
        device_id="WL-HL-0001",
        sensor_type="waterlogging",
        lat=24.353,
        lng=116.713,
    )


def test_alert_creates_event_then_links_repeats(world, device):
    payload = {"device_id": "WL-HL-0001", "type": "waterlogging", "value": 32.5, "threshold": 20}
    first = actions.ingest_sensor_alert(payload)
    assert first.accepted and not first.duplicate
    event = first.event
    assert event.source == "sensor" and event.grid == world.grid_a and event.status == "collected"
    assert event.category == "emergency" and "WL-HL-0001" in event.description
    second = actions.ingest_sensor_alert({**payload, "value": 40})
    assert second.accepted and second.duplicate and second.event == event
    assert CityEvent.objects.count() == 1
    assert event.logs.filter(action="alert").count() == 1
    # once the case is closed (here: cancelled), a new alert opens a new case
    actions.cancel_event(actor=world.dispatcher, event=event, reason="设备误报")
    third = actions.ingest_sensor_alert(payload)
    assert third.event != event and not third.duplicate
    assert CityEvent.objects.count() == 2


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("not an object", "JSON object"),
        ({"type": "waterlogging", "value": 1, "threshold": 1}, "device_id"),
        ({"device_id": "WL-HL-0001", "type": "fire", "value": 1, "threshold": 1}, "type"),
        (
            {"device_id": "WL-HL-0001", "type": "waterlogging", "value": "high", "threshold": 1},
            "value",
        ),
        ({"device_id": "WL-HL-0001", "type": "waterlogging", "value": 1}, "threshold"),
        (
            {"device_id": "WL-HL-0001", "type": "manhole", "value": 1, "threshold": 1},
            "registered as",
        ),
        ({"device_id": "X-9", "type": "manhole", "value": 1, "threshold": 1}, "not registered"),
        (
            {
                "device_id": "X-9",
                "type": "manhole",
                "value": 1,
                "threshold": 1,
                "lat": 30,
                "lng": 120,
            },
            "outside",
        ),
        ({"device_id": "X-9", "type": "manhole", "value": 1, "threshold": 1, "lat": 24.35}, "both"),
    ],
)
def test_malformed_alerts_are_stored_rejected(world, device, payload, message):
    alert = actions.ingest_sensor_alert(payload)
    assert not alert.accepted and alert.event is None
    assert message in alert.error
    assert SensorAlert.objects.filter(pk=alert.pk, accepted=False).exists()
    assert not CityEvent.objects.exists()


def test_unknown_device_with_location_is_registered(world):
    alert = actions.ingest_sensor_alert(
        {
            "device_id": "MH-GB-7",
            "type": "manhole",
            "value": 15,
            "threshold": 10,
            "lat": 24.16,
            "lng": 116.73,
        }
    )
    assert alert.accepted
    device = SensorDevice.objects.get(device_id="MH-GB-7")
    assert device.grid == world.grid_g and alert.event.kind == "component"


def test_invalid_json_is_stored(world):
    alert = actions.ingest_raw(b"{not json", channel="mqtt")
    assert not alert.accepted and "not valid JSON" in alert.error
    assert alert.payload == {"raw": "{not json"}


# --- webhook ---------------------------------------------------------------------------


def _post(client, body, token=TOKEN):
    headers = {"HTTP_X_YIWANG_TOKEN": token} if token is not None else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        "/grid/sensors/webhook/", data=data, content_type="application/json", **headers
    )


def test_webhook_auth(world, device, client, settings):
    settings.YIWANG_SENSOR_TOKEN = TOKEN
    good = {"device_id": "WL-HL-0001", "type": "waterlogging", "value": 30, "threshold": 20}
    assert _post(client, good, token=None).status_code == 401
    response = _post(client, good, token="wrong")
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    settings.YIWANG_SENSOR_TOKEN = ""
    assert _post(client, good, token="").status_code == 401  # no token configured: closed
    assert not SensorAlert.objects.exists()


def test_webhook_creates_dedupes_and_rejects(world, device, client, settings):
    settings.YIWANG_SENSOR_TOKEN = TOKEN
    good = {"device_id": "WL-HL-0001", "type": "waterlogging", "value": 30, "threshold": 20}
    first = _post(client, good)
    assert first.status_code == 201
    body = first.json()
    event = CityEvent.objects.get(pk=body["event_id"])
    assert body["event_number"] == event.number and body["duplicate"] is False
    second = _post(client, good)
    assert second.status_code == 201 and second.json()["event_id"] == event.pk
    assert second.json()["duplicate"] is True
    bad = _post(
        client, {"device_id": "WL-HL-0001", "type": "waterlogging", "value": None, "threshold": 20}
    )
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    problem = bad.json()
    assert problem["status"] == 422 and "value" in problem["detail"] and problem["alert_id"]
    garbage = _post(client, "{{{")
    assert garbage.status_code == 422 and "JSON" in garbage.json()["detail"]
    assert SensorAlert.objects.filter(accepted=False).count() == 2
    assert CityEvent.objects.count() == 1
