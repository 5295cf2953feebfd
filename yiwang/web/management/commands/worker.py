"""`yiwang worker`: runs background jobs and the periodic schedule.

The schedule is ``settings.YIWANG_PERIODIC_TASKS``: dotted task path → interval in seconds.
Running several workers is safe: every periodic task is idempotent.

Next to the task loop, a housekeeping thread writes this worker's heartbeat (read by
`/healthz`) and recovers tasks left RUNNING by a worker that died or that ran past the
timeout (``yiwang.web.heartbeat``, ``yiwang.web.actions.recover_stuck_tasks``).
"""

import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.module_loading import import_string

from yiwang.web.heartbeat import Housekeeping, new_worker_id


def schedule_loop(schedule: dict[str, int], stop: threading.Event) -> None:
    due = dict.fromkeys(schedule, 0.0)
    while not stop.is_set():
        now = time.monotonic()
        for path, interval in schedule.items():
            if now >= due[path]:
                try:
                    import_string(path).enqueue()
                finally:
                    close_old_connections()
                due[path] = now + interval
        stop.wait(1)


class Command(BaseCommand):
    help = "Run the background worker with the periodic schedule."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=int,
            default=None,
            help="Override every periodic task's interval (seconds), e.g. for a demo.",
        )

    def handle(self, *args, interval=None, **options):
        schedule = dict(settings.YIWANG_PERIODIC_TASKS)
        if interval:
            schedule = dict.fromkeys(schedule, interval)
        stop = threading.Event()
        worker_id = new_worker_id()
        housekeeping = Housekeeping(worker_id, stop)
        housekeeping.tick(recover=False)  # alive before the first task is claimed
        housekeeping.start()
        threading.Thread(target=schedule_loop, args=(schedule, stop), daemon=True).start()
        for path, seconds in schedule.items():
            self.stdout.write(f"worker: {path} every {seconds}s")
        self.stdout.write(f"worker: {worker_id}, heartbeat every {housekeeping.interval}s")
        self._start_services()
        try:
            call_command(
                "db_worker", "--queue-name", "*", "--interval", "1", "--worker-id", worker_id
            )
        finally:
            stop.set()

    def _start_services(self) -> None:
        """Long-running services of the apps (YIWANG_WORKER_SERVICES, dotted paths): each starts
        itself in the background when it is configured and says what it started, else None."""
        for path in settings.YIWANG_WORKER_SERVICES:
            started = import_string(path)()
            if started:
                self.stdout.write(f"worker: {started}")
