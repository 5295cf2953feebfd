"""MQTT intake against the real local Mosquitto broker (127.0.0.1:1883, also in CI)."""

import json
import time
import uuid

import paho.mqtt.client as mqtt
import pytest

from yiwang.grid import actions
from yiwang.grid.models import CityEvent, SensorAlert
from yiwang.grid.mqtt import BrokerConfig, Subscriber, parse_url


def _wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_parse_url():
    config = parse_url("mqtt://iot:p%40ss@broker.local:1884/dabu/sensors/%23")
    assert (config.host, config.port, config.username, config.password, config.topic) == (
        "broker.local",
        1884,
        "iot",
        "p@ss",
        "dabu/sensors/#",
    )
    assert parse_url("mqtt://127.0.0.1").topic == "yiwang/sensors/#"


@pytest.mark.django_db(transaction=True)
def test_subscriber_against_real_broker(world):
    actions.register_device(
        actor=world.admin,
        device_id="WL-HL-0001",
        sensor_type="waterlogging",
        lat=24.353,
        lng=116.713,
    )
    topic_root = f"yiwang-test/{uuid.uuid4().hex[:8]}"
    subscriber = Subscriber(
        BrokerConfig(host="127.0.0.1", port=1883, topic=f"{topic_root}/#")
    ).start()
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    try:
        assert subscriber.subscribed.wait(10), "could not subscribe to the local Mosquitto broker"
        publisher.connect("127.0.0.1", 1883)
        publisher.loop_start()
        # publish only once connected: on a busy machine the first message could otherwise
        # outlive wait_for_publish's timeout in the client's queue
        assert _wait(publisher.is_connected, timeout=10), "publisher could not connect"
        good = {"device_id": "WL-HL-0001", "type": "waterlogging", "value": 31.0, "threshold": 20}
        publisher.publish(f"{topic_root}/WL-HL-0001", json.dumps(good), qos=1).wait_for_publish(5)
        publisher.publish(f"{topic_root}/bad", b"\xff not json", qos=1).wait_for_publish(5)
        publisher.publish(
            f"{topic_root}/bad2", json.dumps({"device_id": "WL-HL-0001"}), qos=1
        ).wait_for_publish(5)
        # wait on the subscriber's own counter: polling SQLite's shared in-memory test DB from this
        # thread while the subscriber writes would lock the table
        assert _wait(lambda: subscriber.processed == 3)
        assert SensorAlert.objects.count() == 3
        assert CityEvent.objects.filter(source="sensor").count() == 1
        assert SensorAlert.objects.filter(accepted=False, channel="mqtt").count() == 2
        # still alive: a good message after the bad ones is a repeat linked to the open case
        publisher.publish(f"{topic_root}/WL-HL-0001", json.dumps(good), qos=1).wait_for_publish(5)
        assert _wait(lambda: subscriber.processed == 4)
        assert SensorAlert.objects.filter(duplicate=True).count() == 1
        assert CityEvent.objects.count() == 1
        assert subscriber.failed == 0 and subscriber.processed == 4
    finally:
        publisher.loop_stop()
        publisher.disconnect()
        subscriber.stop()
