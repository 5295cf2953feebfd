"""A small process supervisor for `yiwang run`: keeps the web server and the worker alive.

A county's embedded installation has no systemd unit written for it: `make run` is the
whole deployment. So the process that prints the banner also watches its children and
restarts one that dies (killed, out of memory, a crash in a task), waiting 1 s, 2 s, 4 s …
up to a minute between attempts so a child that cannot start does not spin, and forgetting
the failures once a child has run stably for a while. Every restart is logged with the
exit code. On SIGINT/SIGTERM the children get SIGTERM, then SIGKILL after a grace period.

Children run in their own session, so Ctrl-C in the terminal reaches only the supervisor
(which then stops them in order), and on Linux they receive SIGTERM if the supervisor
itself is killed, so no orphaned server keeps the port.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """Delays between restarts: doubling from ``initial`` up to ``cap`` seconds."""

    initial: float = 1.0
    cap: float = 60.0
    # A child that ran at least this long counts as healthy: its next failure starts over.
    stable_after: float = 120.0

    def delay(self, failures: int) -> float:
        """The wait before restart number ``failures`` (1 = first restart)."""
        return min(self.cap, self.initial * 2 ** max(0, failures - 1))


@dataclass
class Child:
    """One supervised command."""

    name: str
    argv: Sequence[str]
    env: dict[str, str] | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)
    started_at: float = 0.0
    failures: int = 0
    restart_at: float | None = None
    restarts: int = 0


def _die_with_parent() -> None:  # pragma: no cover - runs in the forked child
    """Linux: deliver SIGTERM to this child when the supervisor dies (PR_SET_PDEATHSIG)."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return
    try:
        ctypes.CDLL(libc_name, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return


class Supervisor:
    """Start children, restart the ones that exit, stop them all on request.

    ``run()`` blocks until ``stop()`` is called (from a signal handler or another
    thread) and returns after every child has exited.
    """

    def __init__(
        self,
        children: Sequence[Child],
        *,
        backoff: Backoff | None = None,
        grace: float = 10.0,
        poll: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.children = list(children)
        self.backoff = backoff or Backoff()
        self.grace = grace
        self.poll = poll
        self.clock = clock
        self._stop = threading.Event()

    # --- lifecycle -------------------------------------------------------------------------

    def run(self) -> None:
        for child in self.children:
            self._start(child)
        try:
            while not self._stop.is_set():
                self.check_once()
                self._stop.wait(self.poll)
        finally:
            self.shutdown()

    def stop(self, *_signal_args) -> None:
        """Ask ``run()`` to stop; safe to call from a signal handler."""
        self._stop.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    # --- one round of supervision ----------------------------------------------------------

    def check_once(self) -> None:
        """Notice exited children and restart those whose backoff has elapsed."""
        now = self.clock()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at and not self.stopping:
                    child.restart_at = None
                    self._start(child)
                    child.restarts += 1
                continue
            if child.process is None or child.process.poll() is None:
                continue
            code = child.process.returncode
            ran_for = now - child.started_at
            child.failures = 1 if ran_for >= self.backoff.stable_after else child.failures + 1
            delay = self.backoff.delay(child.failures)
            child.restart_at = now + delay
            logger.error(
                "%s exited with code %s after %.0f s; restarting in %.0f s (failure %d)",
                child.name,
                code,
                ran_for,
                delay,
                child.failures,
            )

    def _start(self, child: Child) -> None:
        kwargs: dict = {"env": child.env, "start_new_session": True}
        if sys.platform.startswith("linux"):
            kwargs["preexec_fn"] = _die_with_parent
        child.process = subprocess.Popen(list(child.argv), **kwargs)  # noqa: S603
        child.started_at = self.clock()
        logger.info("%s started (pid %s)", child.name, child.process.pid)

    def shutdown(self) -> None:
        """SIGTERM every running child in reverse start order, SIGKILL after the grace period."""
        running = [
            (c.name, c.process)
            for c in reversed(self.children)
            if c.process and c.process.poll() is None
        ]
        for _name, process in running:
            _signal(process, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for name, process in running:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("%s did not stop within %.0f s; killing it", name, self.grace)
                _signal(process, signal.SIGKILL)
                process.wait()


def _signal(process: subprocess.Popen, signum: int) -> None:
    try:
        process.send_signal(signum)
    except ProcessLookupError:
        return


__all__ = ["Backoff", "Child", "Supervisor"]
