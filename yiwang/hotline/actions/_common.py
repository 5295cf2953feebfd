"""Shared machinery of the ticket actions: the one state-transition helper (lock, permission,
state machine, snapshot, timeline step, audit entry), input checks, photos and notices.

Private to ``yiwang.hotline.actions``: other apps call the actions, never these.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.notify.actions import notify
from yiwang.orgs.models import Post, Role
from yiwang.regions.models import Region
from yiwang.web import uploads
from yiwang.web.uploads import CheckedFile, check_photo

from .. import rules
from ..models import EventAction, Ticket, TicketEvent, TicketPhoto
from .deadlines import refresh_deadline

log = logging.getLogger("yiwang.hotline.actions")

MAX_PHOTOS = 9
MAX_REASON_CHARS = 1000

#: Steps taken by the lead department's handlers; only these name a department on the
#: timeline (next to a dispatcher's or agent's step it would read as the actor's department).
HANDLER_ACTIONS = frozenset(
    {EventAction.SIGN, EventAction.REPLY, EventAction.RETURN, EventAction.EXTENSION_REQUEST}
)

#: A permission check of one actor on one (locked) ticket; raises PermissionDenied.
Check = Callable[[Any, Ticket], None]


# --- actors ---------------------------------------------------------------------------


def is_user(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False))


def user_or_none(actor):
    """The actor as a user row to point at (``None`` for a ``SystemActor`` or nobody)."""
    return actor if getattr(actor, "pk", None) else None


# --- the state transition -------------------------------------------------------------


def snapshot(ticket: Ticket) -> dict:
    """The fields an audit entry shows before and after a change (no personal data)."""
    return {
        "status": ticket.status,
        "lead_department": ticket.lead_department_id,
        "due_at": ticket.due_at.isoformat() if ticket.due_at else None,
        "deadline_status": ticket.deadline_status,
        "satisfaction": ticket.satisfaction,
        "merged_into": ticket.merged_into_id,
    }


def add_event(
    ticket: Ticket,
    actor,
    action: str,
    note: str = "",
    from_status: str = "",
    department=None,
    **data,
) -> TicketEvent:
    """Append a step to the ticket's timeline (its ``to_status`` is the ticket's status now)."""
    return TicketEvent.objects.create(
        ticket=ticket,
        action=action,
        actor=user_or_none(actor),
        department=department,
        from_status=from_status,
        to_status=ticket.status,
        note=note,
        data=data,
    )


def lock(ticket: Ticket) -> Ticket:
    """The ticket re-read under a row lock, with what the checks and notices read."""
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("region", "lead_department", "category")
        .get(pk=ticket.pk)
    )


def lock_both(first: Ticket, second: Ticket) -> tuple[Ticket, Ticket]:
    """Two tickets re-read under row locks, taken in id order so two actions locking the
    same pair the other way round cannot deadlock."""
    locked = {
        t.pk: t
        for t in Ticket.objects.select_for_update(of=("self",))
        .select_related("region", "lead_department", "category")
        .filter(pk__in=sorted([first.pk, second.pk]))
        .order_by("pk")
    }
    return locked[first.pk], locked[second.pk]


@dataclass
class Change:
    """A state change under way inside ``transition``: the locked ticket, its snapshot before
    the change, the time of the change, and what the timeline step will say (the body may
    add to ``data``)."""

    ticket: Ticket
    before: dict
    now: datetime
    note: str = ""
    data: dict = field(default_factory=dict)


@contextmanager
def transition(
    action: str, *, actor, ticket: Ticket, by: Check, note: str = "", **data
) -> Iterator[Change]:
    """Every change of a ticket's workflow state, the same steps each time:

    1. lock and re-read the ticket;
    2. ``by(actor, ticket)``: may this actor do it (``PermissionDenied``);
    3. ``rules.ensure_allowed(action, ticket)``: does the state machine allow it now
       (``ValidationError``, code ``transition_not_allowed``);
    4. snapshot the ticket and hand a ``Change`` to the ``with`` body, which makes the
       checks that need the fresh row and changes the ticket;
    5. when the status changed, the deadline state follows it; then ``version`` + 1, save,
       the timeline step (``rules.EVENTS[action]`` with ``note`` and ``data``) and the audit
       entry ``hotline.<step>`` with the snapshots before and after.

    Use it inside the action's ``transaction.atomic``: an exception in the body writes
    nothing (steps 5 do not run and the transaction rolls back).
    """
    ticket = lock(ticket)
    by(actor, ticket)
    rules.ensure_allowed(action, ticket)
    change = Change(ticket, snapshot(ticket), timezone.now(), note, dict(data))
    yield change
    _finish(change, actor, rules.EVENTS[action])


def _finish(change: Change, actor, event: str) -> None:
    ticket, before = change.ticket, change.before
    if ticket.status != before["status"]:
        refresh_deadline(ticket, change.now)
    ticket.version += 1
    ticket.save()
    add_event(
        ticket,
        actor,
        event,
        note=change.note,
        from_status=before["status"],
        department=ticket.lead_department if event in HANDLER_ACTIONS else None,
        **change.data,
    )
    record(
        actor=actor,
        action=f"hotline.{event}",
        obj=ticket,
        before=before,
        after=snapshot(ticket),
    )


# --- input ----------------------------------------------------------------------------


def clean_text(value: str, field: str, label: str, max_chars: int, errors: dict) -> str:
    """``value`` stripped; a required-field or too-long error under ``field`` in ``errors``."""
    value = (value or "").strip()
    if not value:
        errors.setdefault(field, []).append(_("Enter the %(label)s.") % {"label": label})
    elif len(value) > max_chars:
        errors.setdefault(field, []).append(
            _("The %(label)s is %(length)d characters long; at most %(max)d are allowed.")
            % {"label": label, "length": len(value), "max": max_chars}
        )
    return value


def clip(note: str | None) -> str:
    """An optional note, stripped and cut to ``MAX_REASON_CHARS``."""
    return (note or "").strip()[:MAX_REASON_CHARS]


def raise_errors(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- photos ---------------------------------------------------------------------------


def check_photos(photos: Sequence, field: str, errors: dict) -> list[CheckedFile]:
    """Uploaded photos checked by content (at most ``MAX_PHOTOS``); problems go to ``errors``."""
    photos = [p for p in (photos or ()) if p]
    if len(photos) > MAX_PHOTOS:
        errors.setdefault(field, []).append(
            _("At most %(max)d photos can be attached; you attached %(count)d.")
            % {"max": MAX_PHOTOS, "count": len(photos)}
        )
        return []
    checked = []
    for i, upload in enumerate(photos, start=1):
        try:
            checked.append(check_photo(upload, _("Photo %(n)d") % {"n": i}))
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)
    return checked


def store_photos(ticket: Ticket, checked: list[CheckedFile], actor, stage: str) -> list[str]:
    """Save checked photos; returns the stored paths (the caller deletes them on failure)."""
    return uploads.store_photos(
        TicketPhoto, checked, "hotline", ticket=ticket, stage=stage, uploaded_by=user_or_none(actor)
    )


delete_files = uploads.delete_stored


# --- notices --------------------------------------------------------------------------


def users_with(roles: Sequence[str], region: Region, department_id: int | None = None) -> list:
    """Active users with an active post of one of ``roles`` whose region covers ``region``."""
    posts = Post.objects.filter(active=True, role__in=roles, user__is_active=True).select_related(
        "user", "region"
    )
    if department_id is not None:
        posts = posts.filter(department_id=department_id)
    users = {}
    for post in posts:
        if region.path.startswith(post.region.path):
            users[post.user_id] = post.user
    return list(users.values())


def notify_many(users: Iterable, title: str, body: str, link: str) -> None:
    for user in users:
        notify(user=user, title=title, body=body, link=link)


def link(ticket: Ticket) -> str:
    return f"/hotline/{ticket.pk}/"


def notify_department(ticket: Ticket, title: str, body: str) -> None:
    """The lead department's handlers covering the ticket's region."""
    if ticket.lead_department_id:
        notify_many(
            users_with([Role.HANDLER], ticket.region, ticket.lead_department_id),
            title,
            body,
            link(ticket),
        )


def notify_dispatchers(ticket: Ticket, title: str, body: str) -> None:
    notify_many(users_with([Role.DISPATCHER], ticket.region), title, body, link(ticket))


def department_name(ticket: Ticket) -> str:
    """The lead department's name for a message ("" while the ticket has none)."""
    return ticket.lead_department.name if ticket.lead_department else ""
