"""Signals the catalogue sends to the apps built on it (receivers connect in their
``ready()`` with a ``dispatch_uid``).

``catalogue_changed(sender=Resource, resource_id=int)``: a resource entered, changed in or
left the catalogue (publish, withdraw). Sent by ``indexing.index_resource``, which runs from
``transaction.on_commit``, so receivers read committed rows. The open-data portal reindexes
its own search documents on it.
"""

from __future__ import annotations

from django.dispatch import Signal

catalogue_changed = Signal()
