"""Who performs an action: a ``User``, or the platform itself as an explicit ``SystemActor``.

Every action takes a keyword-only ``actor``. When no person acts — the deadline sweep, a
sensor alert, a management command, the demo loader — the caller passes ``SYSTEM`` or a
named ``SystemActor("demo")``. ``None`` is not a system actor: permission checks refuse it,
except in the actions that are explicitly self-service (a citizen registering) and say so.

This lives in ``audit``, the lowest kernel app every other app may import (``regions`` sits
below ``orgs``), because the audit log is what names the actor.

A ``SystemActor`` is a ``str``: its value is the label the audit log and the timelines store
and render ("system", "demo", "sensor", "yiwang setup"), so recording it needs nothing
special. It is never an authenticated user, so checks written for users cannot grant it
anything by accident; a plain string is not a system actor either.
"""

from __future__ import annotations


class SystemActor(str):
    """The platform acting on its own, named by its audit label."""

    __slots__ = ()

    # Looks like no user to code that asks a user's attributes.
    pk = None
    is_authenticated = False
    is_anonymous = False
    is_active = False
    is_staff = False
    is_superuser = False

    def __repr__(self) -> str:
        return f"SystemActor({str(self)!r})"


SYSTEM = SystemActor("system")


def is_system(actor) -> bool:
    """Whether ``actor`` is the platform itself (a ``SystemActor``; never ``None``)."""
    return isinstance(actor, SystemActor)
