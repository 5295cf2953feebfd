"""The seven steps of a city-management case: 信息收集 (``report_event``), 案卷建立
(``file_event``, or ``cancel_event``), 任务派遣 (``dispatch_event``), 任务处理 and 处理反馈
(``handle_event``), 核查结案 (``verify_event``, ``close_event``), 综合评价 (``evaluate_event``);
and the sweep that keeps the deadline states current."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM, is_system
from yiwang.orgs.models import Department, Role
from yiwang.orgs.scope import can_act, county_region, covers, posts_of
from yiwang.workdays import calendar as workdays

from .. import geo, rules
from ..models import CityEvent, Component, EventStatus, Grid, GridAssignment, PhotoPhase, Source
from ._common import (
    _check_photos,
    _clean_text,
    _create_event,
    _deadline,
    _handled_deadline,
    _handlers_of,
    _link,
    _locked,
    _merge_errors,
    _notify_users,
    _save,
    _snapshot,
    _store_photos,
)
from .grids import is_worker_of, locate


@transaction.atomic
def report_event(
    *,
    actor,
    kind: str,
    category: str,
    description: str,
    lat,
    lng,
    source: str = Source.PATROL,
    subclass=None,
    address: str = "",
    grid: Grid | None = None,
    component: Component | None = None,
    photos: Iterable = (),
) -> CityEvent:
    """信息收集: a grid worker (or a dispatcher, or the platform) reports a case.

    ``subclass``: from the GB/T 30428 code lists (a ``CaseSubclass``, ``"event:0116"``, or a
    bare code of ``kind``); when it is given, ``kind`` and ``category`` may be left empty."""
    errors: dict[str, list] = {}
    classified = (kind, category, None)
    try:
        classified = rules.clean_classification_with_subclass(kind, category, subclass)
    except ValidationError as exc:
        _merge_errors(errors, exc)
    try:
        geo.clean_point(lat, lng)
    except ValidationError as exc:
        _merge_errors(errors, exc)
    kind, category, subclass = classified
    if source not in Source.values:
        errors["source"] = [_("“%(value)s” is not a source of cases.") % {"value": source}]
    try:
        description = _clean_text(description, "description", _("The description"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    lat, lng = geo.clean_point(lat, lng)
    checked = _check_photos(photos, _("Photo"))
    if grid is None:
        grid = locate(lat, lng)
    region = grid.village if grid is not None else county_region()
    if not is_system(actor):
        assigned = (
            grid is not None
            and bool(posts_of(actor, [Role.GRID_WORKER]))
            and is_worker_of(actor, grid)
        )
        if not (assigned or covers(actor, [Role.GRID_WORKER, Role.DISPATCHER], region)):
            raise PermissionDenied(
                _(
                    "You can report cases only in your own grid area; %(region)s is outside it. Choose "
                    "one of your grids or check the location."
                )
                % {"region": region.full_name or region.name}
            )
    return _create_event(
        actor=actor,
        source=source,
        kind=kind,
        category=category,
        subclass=subclass,
        description=description,
        lat=lat,
        lng=lng,
        address=(address or "").strip(),
        grid=grid,
        region=region,
        component=component,
        photos=checked,
    )


def _dispatcher_transition(action: str, actor, event: CityEvent, roles=(Role.DISPATCHER,)):
    event = _locked(event)
    rules.ensure_allowed(action, event)
    if not covers(actor, list(roles), event.region):
        raise PermissionDenied(
            _("Only a dispatcher covering %(region)s can %(action)s case %(number)s.")
            % {
                "region": event.region.full_name or event.region.name,
                "action": rules.ACTION_NAMES[action],
                "number": event.number,
            }
        )
    return event, _snapshot(event)


@transaction.atomic
def file_event(
    *,
    actor,
    event: CityEvent,
    kind: str | None = None,
    category: str | None = None,
    subclass=None,
    note: str = "",
) -> CityEvent:
    """案卷建立: the report is valid; file it as a component or event case (re-classify if needed).

    ``subclass``: None keeps the case's subclass while it fits the class, "" removes it, any
    other value is checked against the code lists (and gives the class when none is given)."""
    if not kind and not category and subclass:
        found = rules.find_subclass(subclass, event.kind)
        if found is not None:
            kind, category = found.case_class.kind, found.case_class.key
    kind, category = rules.clean_classification(kind or event.kind, category or event.category)
    if subclass is None:
        current = rules.find_subclass(event.subclass_id)
        fits = current is not None and (current.case_class.kind, current.case_class.key) == (
            kind,
            category,
        )
        sub = current if fits else None
    else:
        sub = rules.clean_subclass(kind, category, subclass, current_id=event.subclass_id)
    note = _clean_text(note, "note", _("The note"), required=False)
    event, before = _dispatcher_transition("file", actor, event)
    event.kind, event.category, event.subclass = kind, category, sub
    event.status = rules.target("file")
    return _save(event, actor, "file", before, note)


@transaction.atomic
def cancel_event(*, actor, event: CityEvent, reason: str) -> CityEvent:
    """An invalid report (duplicate, not city management, not found) is cancelled with a reason."""
    reason = _clean_text(reason, "reason", _("The reason for cancelling"))
    event, before = _dispatcher_transition("cancel", actor, event)
    event.status = rules.target("cancel")
    event.cancel_reason = reason
    event.closed_at = timezone.now()
    return _save(event, actor, "cancel", before, reason)


@transaction.atomic
def dispatch_event(
    *,
    actor,
    event: CityEvent,
    department: Department | None,
    limit_days: int | None = None,
    note: str = "",
) -> CityEvent:
    """任务派遣: send to a department; the timer starts (working days, limit per class)."""
    if not isinstance(department, Department):
        raise ValidationError(
            {"department": [_("Choose the department that must handle the case.")]}
        )
    if limit_days is not None and (
        isinstance(limit_days, bool) or not isinstance(limit_days, int) or not 1 <= limit_days <= 60
    ):
        raise ValidationError(
            {
                "limit_days": [
                    _("The time limit must be a whole number of working days from 1 to 60.")
                ]
            }
        )
    note = _clean_text(note, "note", _("The note"), required=False)
    event, before = _dispatcher_transition("dispatch", actor, event)
    now = timezone.now()
    n = limit_days or rules.limit_days(event.kind, event.category)
    due = workdays.due_date(now, n)
    event.department = department
    event.limit_days = n
    event.dispatched_at = now
    event.due_at = due.due_at
    event.due_provisional = due.provisional
    event.deadline_status = _deadline(event, now)
    event.status = rules.target("dispatch")
    _save(event, actor, "dispatch", before, note or department.name)
    _notify_users(
        _handlers_of(event),
        _("New city-management case %(number)s") % {"number": event.number},
        _("%(category)s: %(description)s. Reply by %(due)s.")
        % {
            "category": event.category_label,
            "description": event.description[:80],
            "due": workdays.local_date(event.due_at).isoformat(),
        },
        _link(event),
    )
    return event


@transaction.atomic
def handle_event(*, actor, event: CityEvent, reply: str, after_photos: Iterable = ()) -> CityEvent:
    """任务处理 + 处理反馈: the department replies with what it did and photos after handling."""
    reply = _clean_text(reply, "reply", _("The reply"))
    checked = _check_photos(after_photos, _("Photo after handling"))
    if not checked:
        raise ValidationError(
            {"after_photos": [_("Attach at least one photo showing the result after handling.")]}
        )
    event = _locked(event)
    rules.ensure_allowed("handle", event)
    if not can_act(actor, roles=[Role.HANDLER], department=event.department, region=event.region):
        raise PermissionDenied(
            _(
                "Case %(number)s was dispatched to %(department)s; only its handlers can reply to it."
            )
            % {"number": event.number, "department": event.department}
        )
    before = _snapshot(event)
    now = timezone.now()
    event.deadline_status = _handled_deadline(event, now)
    event.reply = reply
    event.handled_at = now
    event.status = rules.target("handle")
    _store_photos(event, checked, PhotoPhase.AFTER, actor)
    _save(event, actor, "handle", before, reply)
    if event.grid_id:
        workers = [
            a.user
            for a in GridAssignment.objects.filter(grid_id=event.grid_id).select_related("user")
        ]
        _notify_users(
            workers,
            _("Please verify case %(number)s on site") % {"number": event.number},
            _("%(department)s replied: %(reply)s")
            % {"department": event.department, "reply": reply[:80]},
            reverse("grid:m_verify", args=[event.pk]),
        )
    return event


@transaction.atomic
def verify_event(
    *, actor, event: CityEvent, passed: bool, note: str = "", photos: Iterable = ()
) -> CityEvent:
    """核查结案 (on site): the grid worker of the case's grid confirms the result or sends it back."""
    if not isinstance(passed, bool):
        raise ValidationError({"passed": [_("Say whether the problem was solved (yes or no).")]})
    note = _clean_text(note, "note", _("The verification note"), required=not passed)
    checked = _check_photos(photos, _("Verification photo"))
    event = _locked(event)
    rules.ensure_allowed("verify", event)
    if not is_worker_of(actor, event.grid):
        raise PermissionDenied(
            _("Only a grid worker assigned to %(grid)s can verify case %(number)s on site.")
            % {"grid": event.grid or _("the case's grid"), "number": event.number}
        )
    before = _snapshot(event)
    now = timezone.now()
    event.verify_note = note
    if checked:
        _store_photos(event, checked, PhotoPhase.VERIFY, actor)
    if passed:
        event.status = EventStatus.VERIFIED
        event.verified_at = now
        return _save(event, actor, "verify", before, note)
    # Failed: back to the department; the original deadline keeps running.
    event.status = EventStatus.DISPATCHED
    event.rework_count += 1
    event.handled_at = None
    event.deadline_status = _deadline(event, now)
    _save(event, actor, "verify_failed", before, note)
    _notify_users(
        _handlers_of(event),
        _("Case %(number)s sent back after verification") % {"number": event.number},
        _("The grid worker found the problem not solved: %(note)s") % {"note": note[:80]},
        _link(event),
    )
    return event


@transaction.atomic
def close_event(*, actor, event: CityEvent, note: str = "") -> CityEvent:
    """结案: the dispatcher closes a case verified on site."""
    note = _clean_text(note, "note", _("The note"), required=False)
    event, before = _dispatcher_transition("close", actor, event)
    event.status = rules.target("close")
    event.closed_at = timezone.now()
    return _save(event, actor, "close", before, note)


@transaction.atomic
def evaluate_event(*, actor, event: CityEvent, score: int, note: str = "") -> CityEvent:
    """综合评价: score the handling from 1 (poor) to 5 (excellent)."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": [_("Give a score from 1 (poor) to 5 (excellent).")]})
    note = _clean_text(note, "note", _("The evaluation note"), required=False)
    event, before = _dispatcher_transition(
        "evaluate", actor, event, roles=(Role.DISPATCHER, Role.LEADER)
    )
    event.status = rules.target("evaluate")
    event.score = score
    event.evaluation_note = note
    event.evaluated_at = timezone.now()
    return _save(event, actor, "evaluate", before, note or str(score))


def sweep_deadlines(now: datetime | None = None) -> int:
    """Recompute normal / warning / overdue for dispatched cases; returns how many changed."""
    now = now or timezone.now()
    changed = []
    with workdays.pinned():
        for event in CityEvent.objects.filter(
            status=EventStatus.DISPATCHED, due_at__isnull=False
        ).only("id", "due_at", "deadline_status"):
            status = _deadline(event, now)
            if status != event.deadline_status:
                event.deadline_status = status
                changed.append(event)
    if changed:
        with transaction.atomic():
            CityEvent.objects.bulk_update(changed, ["deadline_status"], batch_size=500)
            record(
                actor=SYSTEM,
                action="grid.deadlines_swept",
                after={"changed": len(changed)},
            )
    return len(changed)
