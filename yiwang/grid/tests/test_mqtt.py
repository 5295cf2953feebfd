"""MQTT intake against a real broker: YIWANG_MQTT_URL, else Mosquitto on 127.0.0.1:1883.

Tests that need the broker are marked ``mqtt``; without a broker they fail with the install
hint (they are never skipped: ``.ci/run`` starts Mosquitto). ``-m 'not mqtt'`` leaves them out.
"""

import json
import os
import socket
import time
import uuid
from dataclasses import replace

import paho.mqtt.client as mqtt
import pytest

from yiwang.grid import actions
from yiwang.grid.models import CityEvent, SensorAlert
from yiwang.grid.mqtt import BrokerConfig, Subscriber, parse_url

NO_BROKER = (
    "No MQTT broker answers at {host}:{port} ({error}). Tests marked `mqtt` need one: "
    "install and start Mosquitto (`sudo apt-get install mosquitto`; it listens on "
    "localhost:1883) or set YIWANG_MQTT_URL=mqtt://host:port; leave them out with -m 'not mqtt'."
)


def broker_or_fail(url: str) -> BrokerConfig:
    """The broker of ``url`` once it accepts a TCP connection; a clear failure otherwise."""
    config = parse_url(url)
    try:
        socket.create_connection((config.host, config.port), timeout=3).close()
    except OSError as error:
        problem = str(error)
    else:
        return config
    # outside the except block: the report shows the hint, not a chained traceback
    pytest.fail(NO_BROKER.format(host=config.host, port=config.port, error=problem), False)


@pytest.fixture
def broker() -> BrokerConfig:
    return broker_or_fail(os.environ.get("YIWANG_MQTT_URL") or "mqtt://127.0.0.1:1883")


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


def test_missing_broker_fails_with_the_install_hint():
    with socket.socket() as probe:  # a port nothing listens on: bound, never listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        with pytest.raises(pytest.fail.Exception, match="apt-get install mosquitto"):
            broker_or_fail(f"mqtt://127.0.0.1:{port}")


@pytest.mark.mqtt
@pytest.mark.django_db(transaction=True)
def test_subscriber_against_real_broker(world, broker):
    actions.register_device(
        actor=world.admin,
        device_id="WL-HL-0001",
        sensor_type="waterlogging",
        lat=24.353,
        lng=116.713,
    )
    topic_root = f"yiwang-test/{uuid.uuid4().hex[:8]}"
    subscriber = Subscriber(replace(broker, topic=f"{topic_root}/#")).start()
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    if broker.username:
        publisher.username_pw_set(broker.username, broker.password or None)
    try:
        assert subscriber.subscribed.wait(10), f"could not subscribe on {broker.host}"
        publisher.connect(broker.host, broker.port)
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
