"""Helpers shared by the grid actions: who the actor is, text and error cleaning, and the
bookkeeping of a city-management case (snapshot, timeline, audit, photos, deadline, notices).

Private to ``yiwang.grid.actions``; other apps use the package's public names."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM, is_system
from yiwang.notify.actions import notify
from yiwang.orgs.models import Post, Role
from yiwang.orgs.scope import posts_of
from yiwang.regions.models import Region
from yiwang.web.uploads import check_photo, store_photos
from yiwang.workdays import calendar as workdays

from ..models import (
    CaseSubclass,
    CityEvent,
    Component,
    DeadlineStatus,
    EventLog,
    EventPhoto,
    EventStatus,
    Grid,
    PhotoPhase,
)

MAX_TEXT = 2000
MAX_PHOTOS = 6


# --- the actor ------------------------------------------------------------------------------


def _is_user(actor) -> bool:
    return getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False)


def _may_manage_registry(actor) -> bool:
    return is_system(actor) or (
        _is_user(actor)
        and (actor.is_superuser or bool(posts_of(actor, [Role.AUTHORITY, Role.DISPATCHER])))
    )


def _actor_label(actor) -> str:
    if is_system(actor):
        return actor
    return getattr(actor, "display_name", "") or actor.get_username()


def may_manage_registry(user) -> bool:
    """Whether a signed-in user may use the registry pages (the rule of the registry actions)."""
    return _is_user(user) and _may_manage_registry(user)


# --- input ----------------------------------------------------------------------------------


def _clean_text(value, field: str, label: str, *, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not text:
        raise ValidationError(
            {field: [_("%(label)s is required: please fill it in.") % {"label": label}]}
        )
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {
                field: [
                    _("%(label)s is too long (%(n)d characters); keep it under %(max)d.")
                    % {"label": label, "n": len(text), "max": MAX_TEXT}
                ]
            }
        )
    return text


def _merge_errors(errors: dict[str, list], exc: ValidationError) -> None:
    for key, msgs in exc.message_dict.items():
        errors.setdefault(key, []).extend(msgs)


def _bounded_text(errors: dict[str, list], field: str, value, limit: int, label: str) -> str:
    """Optional free text, stripped; longer than ``limit`` is an error (never cut silently)."""
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if len(text) > limit:
        errors[field] = [
            _("%(label)s is too long (%(n)d characters); keep it under %(max)d.")
            % {"label": label, "n": len(text), "max": limit}
        ]
    return text


# --- a case's record ------------------------------------------------------------------------


def _snapshot(event: CityEvent) -> dict:
    return {
        "status": event.status,
        "kind": event.kind,
        "category": event.category,
        "subclass": event.subclass_id,
        "department": event.department_id,
        "grid": event.grid_id,
        "due_at": event.due_at.isoformat() if event.due_at else None,
        "rework_count": event.rework_count,
    }


def _log(event: CityEvent, actor, action: str, from_status: str, note: str = "") -> None:
    EventLog.objects.create(
        event=event,
        actor=actor if _is_user(actor) else None,
        actor_label=_actor_label(actor)[:100],
        action=action,
        from_status=from_status,
        to_status=event.status,
        note=note,
    )


def _locked(event: CityEvent) -> CityEvent:
    return (
        CityEvent.objects.select_for_update(of=("self",))
        .select_related("region", "grid")
        .get(pk=event.pk)
    )


def _save(event: CityEvent, actor, action: str, before: dict, note: str = "") -> CityEvent:
    event.save()
    _log(event, actor, action, before["status"], note)
    record(
        actor=actor or SYSTEM,
        action=f"grid.event_{action}",
        obj=event,
        before=before,
        after=_snapshot(event),
        note=note[:200],
    )
    return event


def _apply_change(current, data: dict, *, actor, action: str, before: dict, after: dict):
    """Write ``data`` onto a locked reference-data row and record the change (one audit entry
    with only the fields that changed)."""
    for field, value in data.items():
        setattr(current, field, value)
    current.save()
    record(actor=actor or SYSTEM, action=action, obj=current, before=before, after=after)
    return current


def _check_photos(uploads: Iterable, label: str) -> list:
    uploads = [u for u in (uploads or []) if u]
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(
            {"photos": [_("Attach at most %(max)d photos at a time.") % {"max": MAX_PHOTOS}]}
        )
    return [check_photo(u, label) for u in uploads]


def _store_photos(event: CityEvent, checked: list, phase: str, actor) -> list[str]:
    """Save checked photos on the case; returns the stored paths."""
    return store_photos(
        EventPhoto,
        checked,
        "grid",
        event=event,
        phase=phase,
        uploaded_by=actor if _is_user(actor) else None,
    )


def _deadline(event: CityEvent, now: datetime) -> str:
    if event.due_at is None:
        return DeadlineStatus.NONE
    return workdays.deadline_status(event.due_at, now)


def _handled_deadline(event: CityEvent, now: datetime) -> str:
    """The deadline outcome frozen when the department replies: on time or overdue.

    "Due soon" is a warning for work still to do; kept after the reply, a handled or closed
    case would show 预警 for ever."""
    status = _deadline(event, now)
    return DeadlineStatus.NORMAL if status == DeadlineStatus.WARNING else status


def _notify_users(users, title: str, body: str, link: str) -> None:
    seen = set()
    for user in users:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        notify(user=user, title=title, body=body, link=link)


def _handlers_of(event: CityEvent):
    posts = Post.objects.filter(
        role=Role.HANDLER, department=event.department, active=True
    ).select_related("user", "region")
    return [p.user for p in posts if event.region.path.startswith(p.region.path)]


def _link(event: CityEvent) -> str:
    return reverse("grid:event_detail", args=[event.pk])


def _number(event: CityEvent) -> str:
    day = workdays.local_date(event.created_at or timezone.now())
    return f"CG{day:%Y%m%d}{event.pk:06d}"


def _create_event(
    *,
    actor,
    source: str,
    kind: str,
    category: str,
    subclass: CaseSubclass | None,
    description: str,
    lat: float,
    lng: float,
    address: str,
    grid: Grid | None,
    region: Region,
    component: Component | None,
    sensor_key: str = "",
    subclass_note: str = "",
    photos: list | None = None,
) -> CityEvent:
    event = CityEvent.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:16]}",
        source=source,
        kind=kind,
        category=category,
        subclass=subclass,
        subclass_note=subclass_note[:50],
        component=component,
        description=description,
        address=address[:200],
        lat=lat,
        lng=lng,
        grid=grid,
        region=region,
        reporter=actor if _is_user(actor) else None,
        status=EventStatus.COLLECTED,
        sensor_key=sensor_key,
    )
    event.number = _number(event)
    CityEvent.objects.filter(pk=event.pk).update(number=event.number)
    if photos:
        _store_photos(event, photos, PhotoPhase.BEFORE, actor)
    _log(event, actor, "report", "", description[:200])
    record(
        actor=actor or SYSTEM,
        action="grid.event_reported",
        obj=event,
        after={**_snapshot(event), "number": event.number, "source": source},
    )
    return event
