"""`yiwang worker`: runs background jobs and the periodic schedule (the deadline sweep)."""

import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections


def schedule_loop(interval: int, stop: threading.Event) -> None:
    from yiwang.cases.tasks import sweep_deadlines

    while not stop.is_set():
        try:
            sweep_deadlines.enqueue()
        finally:
            close_old_connections()
        stop.wait(interval)


class Command(BaseCommand):
    help = "Run the background worker with the periodic schedule."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=int,
            default=None,
            help="Seconds between deadline sweeps (default YIWANG_SWEEP_INTERVAL).",
        )

    def handle(self, *args, interval=None, **options):
        interval = interval or settings.YIWANG_SWEEP_INTERVAL
        stop = threading.Event()
        scheduler = threading.Thread(target=schedule_loop, args=(interval, stop), daemon=True)
        scheduler.start()
        self.stdout.write(f"worker: sweeping deadlines every {interval}s")
        try:
            call_command("db_worker", "--queue-name", "*", "--interval", "1")
        finally:
            stop.set()
            time.sleep(0)
