"""Reactions of cases to other apps' signals."""

from .tasks import recompute_provisional_deadlines


def on_calendar_changed(sender, dates=(), **kwargs) -> None:
    """The holiday calendar changed: provisional deadlines can now be computed for real."""
    recompute_provisional_deadlines.enqueue()
