"""The supervisor of `yiwang run`: children that die are restarted with growing delays."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time

from yiwang.web.supervise import Backoff, Child, Supervisor

PY = sys.executable


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _wait_exit(child: Child) -> None:
    child.process.wait(timeout=10)


def test_backoff_doubles_from_one_second_up_to_a_minute():
    backoff = Backoff()
    assert [backoff.delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_dying_child_is_restarted_with_growing_delays_and_each_restart_logged(caplog):
    clock = FakeClock()
    child = Child("worker", [PY, "-c", "raise SystemExit(3)"])
    supervisor = Supervisor([child], clock=clock)
    caplog.set_level(logging.INFO, logger="yiwang.web.supervise")
    supervisor._start(child)
    delays = []
    for _ in range(4):
        _wait_exit(child)
        supervisor.check_once()  # notices the exit, schedules the restart
        delays.append(child.restart_at - clock.now)
        supervisor.check_once()  # backoff not elapsed: nothing started yet
        assert child.process.poll() is not None
        clock.now = child.restart_at
        supervisor.check_once()  # restarts it
    assert delays == [1, 2, 4, 8]
    assert child.restarts == 4
    exits = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(exits) == 4
    assert all("worker exited with code 3" in r.getMessage() for r in exits)
    assert "restarting in 8 s" in exits[-1].getMessage()
    _wait_exit(child)


def test_child_that_ran_stably_starts_the_backoff_over():
    clock = FakeClock()
    child = Child("web", [PY, "-c", "raise SystemExit(1)"])
    supervisor = Supervisor([child], backoff=Backoff(stable_after=30), clock=clock)
    supervisor._start(child)
    child.failures = 5  # it had failed repeatedly before…
    clock.now += 31  # …then ran for longer than stable_after
    _wait_exit(child)
    supervisor.check_once()
    assert child.failures == 1
    assert child.restart_at - clock.now == 1


def test_no_restart_once_stopping():
    clock = FakeClock()
    child = Child("worker", [PY, "-c", "raise SystemExit(0)"])
    supervisor = Supervisor([child], clock=clock)
    supervisor._start(child)
    _wait_exit(child)
    supervisor.check_once()
    supervisor.stop()
    clock.now = child.restart_at + 1
    supervisor.check_once()
    assert child.restarts == 0


def test_run_restarts_a_killed_child_and_stop_terminates_everything():
    sleeper = Child("web", [PY, "-c", "import time; time.sleep(60)"])
    supervisor = Supervisor([sleeper], backoff=Backoff(initial=0.1), poll=0.02, grace=5)
    runner = threading.Thread(target=supervisor.run)
    runner.start()
    try:
        deadline = time.monotonic() + 10
        while sleeper.process is None and time.monotonic() < deadline:
            time.sleep(0.01)
        first = sleeper.process
        first.kill()
        while sleeper.restarts == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert sleeper.restarts == 1
        assert sleeper.process is not first
        assert sleeper.process.poll() is None
    finally:
        supervisor.stop()
        runner.join(timeout=10)
    assert not runner.is_alive()
    assert sleeper.process.poll() is not None  # terminated on stop


def test_shutdown_kills_a_child_that_ignores_sigterm():
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"
    stubborn = Child("worker", [PY, "-c", code])
    supervisor = Supervisor([stubborn], grace=0.5)
    stubborn.process = subprocess.Popen([PY, "-c", code], stdout=subprocess.PIPE, text=True)
    assert stubborn.process.stdout.readline().strip() == "ready"
    started = time.monotonic()
    supervisor.shutdown()
    assert stubborn.process.returncode == -9
    assert time.monotonic() - started < 5
