"""MQTT intake of sensor alerts (paho-mqtt 2).

Each message on the topic (default ``yiwang/sensors/#``) is a JSON object
``{"device_id", "type", "value", "threshold", "lat"?, "lng"?}`` handed to
``actions.ingest_raw``. A bad message is stored as a rejected alert and logged;
nothing a publisher sends can stop the subscriber.

Run it with ``yiwang grid_mqtt --host 127.0.0.1 --port 1883`` or, from the worker,
``start_in_background(settings)`` when ``YIWANG_MQTT_URL`` is configured
(``mqtt://[user:password@]host[:port][/topic]``).
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from django.conf import settings as django_settings
from django.db import close_old_connections

from . import actions
from .models import AlertChannel

log = logging.getLogger(__name__)

DEFAULT_TOPIC = "yiwang/sensors/#"
MAX_MESSAGE_BYTES = 64 * 1024


@dataclass
class BrokerConfig:
    host: str = "127.0.0.1"
    port: int = 1883
    topic: str = DEFAULT_TOPIC
    username: str = ""
    password: str = ""
    client_id: str = ""
    qos: int = 1


def parse_url(url: str, topic: str | None = None) -> BrokerConfig:
    """``mqtt://user:pass@host:1883/yiwang/sensors/#`` → BrokerConfig."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "tcp", ""):
        raise ValueError(
            f"Unsupported MQTT URL scheme {parts.scheme!r}: use mqtt://host:port/topic"
        )
    path_topic = unquote(parts.path.lstrip("/")) if parts.path not in ("", "/") else ""
    return BrokerConfig(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 1883,
        topic=topic or path_topic or DEFAULT_TOPIC,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


class Subscriber:
    """A resilient subscriber: reconnects, and survives any message."""

    def __init__(self, config: BrokerConfig):
        self.config = config
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=config.client_id or f"yiwang-grid-{uuid.uuid4().hex[:8]}",
        )
        if config.username:
            self.client.username_pw_set(config.username, config.password or None)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.subscribed = threading.Event()
        self.processed = 0
        self.failed = 0

    # callbacks (run in paho's network thread)
    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.error(
                "MQTT connection to %s:%s refused: %s",
                self.config.host,
                self.config.port,
                reason_code,
            )
            return
        client.subscribe(self.config.topic, qos=self.config.qos)
        log.info(
            "MQTT subscribed to %s on %s:%s", self.config.topic, self.config.host, self.config.port
        )
        self.subscribed.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.subscribed.clear()
        if reason_code != 0:
            log.warning("MQTT disconnected (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, message):
        self.handle(message.topic, message.payload)

    def handle(self, topic: str, payload: bytes):
        """Ingest one message; never raises."""
        close_old_connections()
        try:
            if len(payload) > MAX_MESSAGE_BYTES:
                payload = payload[:MAX_MESSAGE_BYTES]
            alert = actions.ingest_raw(payload, channel=AlertChannel.MQTT)
            if alert.accepted:
                filed = alert.event or alert.ticket  # a router may take it without either
                log.info("MQTT alert on %s → %s", topic, filed.number if filed else "-")
            return alert
        except Exception:  # a bad message or a database hiccup must not kill the subscriber
            self.failed += 1
            log.exception("MQTT message on %s could not be processed", topic)
            return None
        finally:
            self.processed += 1
            close_old_connections()

    # lifecycle
    def connect(self) -> None:
        self.client.connect_async(self.config.host, self.config.port, keepalive=30)

    def start(self) -> Subscriber:
        """Connect and run the network loop in a background (daemon) thread."""
        self.connect()
        self.client.loop_start()
        return self

    def run_forever(self) -> None:
        self.connect()
        self.client.loop_forever(retry_first_connection=True)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def worker_service() -> str | None:
    """Listed in YIWANG_WORKER_SERVICES: ``yiwang worker`` starts the subscriber when a broker is
    configured. Says where it listens, never with the broker's credentials."""
    if start_in_background(django_settings) is None:
        return None
    where = urlsplit(django_settings.YIWANG_MQTT_URL)
    return f"MQTT sensor subscriber on {where.hostname}:{where.port or 1883}"


def start_in_background(settings) -> Subscriber | None:
    """Start the subscriber from ``yiwang worker`` when ``YIWANG_MQTT_URL`` is set (else None)."""
    url = getattr(settings, "YIWANG_MQTT_URL", "")
    if not url:
        return None
    config = parse_url(url, getattr(settings, "YIWANG_MQTT_TOPIC", "") or None)
    return Subscriber(config).start()
