"""Signals of the working-day calendar.

``calendar_changed`` is sent after the transaction that added, changed or
removed holiday overrides has committed. Keyword argument ``dates``: a sorted
list of the ``datetime.date`` values whose status may have changed. Case apps
listen to it to recompute deadlines, at least the provisional ones that run
over those dates.
"""

from django.dispatch import Signal

calendar_changed = Signal()
