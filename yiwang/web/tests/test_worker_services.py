"""`yiwang worker` starts the apps' long-running services listed in YIWANG_WORKER_SERVICES."""

from io import StringIO

from yiwang.grid import mqtt
from yiwang.web.management.commands.worker import Command

STARTED = []


def a_configured_service():
    STARTED.append("configured")
    return "test service on 127.0.0.1:9"


def an_unconfigured_service():
    STARTED.append("unconfigured")
    return None


def test_worker_starts_every_listed_service_and_logs_those_that_run(settings):
    settings.YIWANG_WORKER_SERVICES = [
        f"{__name__}.a_configured_service",
        f"{__name__}.an_unconfigured_service",
    ]
    STARTED.clear()
    command = Command(stdout=StringIO())
    command._start_services()
    assert STARTED == ["configured", "unconfigured"]
    assert command.stdout.getvalue().splitlines() == ["worker: test service on 127.0.0.1:9"]


def test_the_mqtt_service_stays_off_without_a_broker_url(settings):
    settings.YIWANG_MQTT_URL = ""
    assert mqtt.worker_service() is None
    assert "yiwang.grid.mqtt.worker_service" in settings.YIWANG_WORKER_SERVICES
