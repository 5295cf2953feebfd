"""``yiwang grid_mqtt``: subscribe to sensor alerts on an MQTT broker and turn them into cases."""

from django.conf import settings
from django.core.management.base import BaseCommand

from yiwang.grid.mqtt import DEFAULT_TOPIC, BrokerConfig, Subscriber, parse_url


class Command(BaseCommand):
    help = "Subscribe to sensor alerts over MQTT (JSON messages) and ingest them."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="mqtt://[user:password@]host[:port][/topic]")
        parser.add_argument("--host", default="", help="Broker host (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=0, help="Broker port (default 1883)")
        parser.add_argument("--topic", default="", help=f"Topic filter (default {DEFAULT_TOPIC})")
        parser.add_argument("--username", default="")
        parser.add_argument("--password", default="")

    def handle(self, *args, **opts):
        url = opts["url"] or getattr(settings, "YIWANG_MQTT_URL", "")
        config = parse_url(url) if url else BrokerConfig()
        if opts["host"]:
            config.host = opts["host"]
        if opts["port"]:
            config.port = opts["port"]
        topic = opts["topic"] or getattr(settings, "YIWANG_MQTT_TOPIC", "")
        if topic:
            config.topic = topic
        if opts["username"]:
            config.username, config.password = opts["username"], opts["password"]
        self.stdout.write(
            f"Subscribing to {config.topic} on {config.host}:{config.port} (Ctrl-C to stop)"
        )
        subscriber = Subscriber(config)
        try:
            subscriber.run_forever()
        except KeyboardInterrupt:
            subscriber.stop()
