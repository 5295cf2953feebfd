"""Pages: map (dispatchers, leaders), case list and detail, phone pages for grid workers,
and the sensor webhook."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.accounts.typing import AuthenticatedRequest
from yiwang.orgs.models import Department
from yiwang.web.files import file_response
from yiwang.web.params import object_id, parse_int

from . import actions, map_layers, queries, rules
from .models import (
    AlertChannel,
    CityEvent,
    ComponentClass,
    EventClass,
    EventLog,
    EventPhoto,
    EventStatus,
    GridAssignment,
    Kind,
    Source,
)

PAGE_SIZE = 30
#: Pages past this are not offered (an offset beyond the database integer range is an error).
MAX_PAGE = 10_000
MAP_MAX_EVENTS = 2000
WEBHOOK_MAX_BYTES = 64 * 1024


def _error_messages(request: HttpRequest, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


def _require_overseer(request: AuthenticatedRequest) -> None:
    if not queries.is_overseer(request.user):
        raise PermissionDenied(_("The map is for dispatchers and leaders."))


def _filters(request: HttpRequest) -> dict:
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    category = request.GET.get("category", "")
    return {
        "status": status if status in EventStatus.values else "",
        "kind": kind if kind in Kind.values else "",
        "category": category
        if category in set(ComponentClass.values) | set(EventClass.values)
        else "",
        "q": request.GET.get("q", "").strip()[:50],
    }


def _apply_filters(qs, f: dict):
    if f["status"]:
        qs = qs.filter(status=f["status"])
    if f["kind"]:
        qs = qs.filter(kind=f["kind"])
    if f["category"]:
        qs = qs.filter(category=f["category"])
    if f.get("q"):
        qs = qs.filter(Q(number__icontains=f["q"]) | Q(description__icontains=f["q"]))
    return qs


def _filter_context() -> dict:
    return {
        "statuses": EventStatus.choices,
        "kinds": Kind.choices,
        "component_classes": ComponentClass.choices,
        "event_classes": EventClass.choices,
    }


# --- map ---------------------------------------------------------------------------------


@login_required
@require_GET
def map_view(request: AuthenticatedRequest) -> HttpResponse:
    _require_overseer(request)
    config = {
        "dataUrl": reverse("grid:map_data"),
        "tiles": map_layers.tile_config(),
        "center": [24.35, 116.70],
        "detailUrl": reverse("grid:event_detail", args=[0]),
        "labels": map_layers.labels(),
    }
    return render(
        request,
        "grid/map.html",
        {
            "config": config,
            "legend": map_layers.legend(),
            "filters": _filters(request),
            **_filter_context(),
        },
    )


@login_required
@require_GET
def map_data(request: AuthenticatedRequest) -> JsonResponse:
    """GeoJSON FeatureCollection: the user's grids (polygons), the towns' outlines drawn from
    them (lines) and cases (points), filtered.

    Two queries whatever the size (grids with their village and town; cases capped)."""
    _require_overseer(request)
    f = _filters(request)
    features = []
    grids = list(
        queries.visible_grids(request.user).select_related("village__parent").order_by("code")
    )
    features += map_layers.town_features(grids)
    for grid in grids:
        features.append(
            {
                "type": "Feature",
                "geometry": grid.polygon,
                "properties": {
                    "layer": "grid",
                    "id": grid.pk,
                    "code": grid.code,
                    "name": grid.name,
                    "village": grid.village.name,
                },
            }
        )
    events = _apply_filters(queries.visible_events(request.user), f).only(
        "id",
        "number",
        "status",
        "kind",
        "category",
        "subclass",
        "subclass_note",
        "lat",
        "lng",
        "deadline_status",
        "due_at",
    )[:MAP_MAX_EVENTS]
    status_labels = dict(EventStatus.choices)
    for event in events:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(event.lng), float(event.lat)]},
                "properties": {
                    "layer": "event",
                    "id": event.pk,
                    "number": event.number,
                    "status": event.status,
                    "status_label": str(status_labels.get(event.status, event.status)),
                    "kind": event.kind,
                    "category": event.category_label,
                    "subclass": event.subclass_label,
                    "deadline": event.deadline_status,
                    "due": timezone.localdate(event.due_at).isoformat() if event.due_at else "",
                },
            }
        )
    return JsonResponse(
        {"type": "FeatureCollection", "features": features},
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False},
    )


# --- list and detail -------------------------------------------------------------------------


@login_required
@require_GET
def events(request: AuthenticatedRequest) -> HttpResponse:
    if request.user.kind != "staff":
        raise PermissionDenied(pgettext("city event", "This page is for staff."))
    f = _filters(request)
    qs = _apply_filters(queries.visible_events(request.user), f).select_related(
        "grid", "department", "region"
    )
    page = min(parse_int(request.GET.get("page", ""), minimum=1) or 1, MAX_PAGE)
    rows = list(qs.order_by("-created_at", "-id")[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    return render(
        request,
        "grid/events.html",
        {
            "events": rows[:PAGE_SIZE],
            "page": page,
            "has_next": has_next,
            "filters": f,
            "is_overseer": queries.is_overseer(request.user),
            **_filter_context(),
        },
    )


@dataclass(frozen=True)
class TimelineStep:
    """A step of the case's timeline as the page shows it: who (a person, or the machine
    that acted, by name) and what, in words."""

    entry: EventLog
    actor_label: str
    action_label: str


def _system_actor_label(code: str) -> str:
    """Steps without a user store a machine code ("sensor", "system"); show its name."""
    names = {actions.SENSOR_ACTOR: Source.SENSOR.label, "system": _("System")}
    return str(names.get(code, code))


def _visible_event(request: AuthenticatedRequest, pk: int) -> CityEvent:
    return get_object_or_404(
        queries.visible_events(request.user).select_related(
            "grid", "department", "region", "reporter", "component"
        ),
        pk=pk,
    )


@login_required
@require_GET
def event_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    event = _visible_event(request, pk)
    allowed = queries.allowed_actions(request.user, event)
    departments = Department.objects.order_by("id") if "dispatch" in allowed else []
    logs = [
        TimelineStep(
            entry,
            actor_label=entry.actor_label
            if entry.actor_id is not None
            else _system_actor_label(entry.actor_label),
            action_label=str(rules.ACTION_NAMES.get(entry.action, entry.action)),
        )
        for entry in event.logs.select_related("actor")
    ]
    return render(
        request,
        "grid/event_detail.html",
        {
            "event": event,
            "photos": list(event.photos.all()),
            "logs": logs,
            "alerts": list(event.alerts.all()[:20]),
            "allowed": allowed,
            "departments": departments,
            "action_names": rules.ACTION_NAMES,
            "default_limit": rules.limit_days(event.kind, event.category),
            "subclass_groups": rules.subclass_groups(selected=event.subclass_id)
            if "file" in allowed
            else [],
            "scores": range(5, 0, -1),
            **_filter_context(),
        },
    )


@login_required
@require_POST
def event_act(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    event = _visible_event(request, pk)
    post = request.POST
    try:
        if action == "file":
            kind, _sep, category = post.get("classification", "").partition(":")
            actions.file_event(
                actor=request.user,
                event=event,
                kind=kind or None,
                category=category or None,
                subclass=post.get("subclass"),
                note=post.get("note", ""),
            )
        elif action == "cancel":
            actions.cancel_event(actor=request.user, event=event, reason=post.get("reason", ""))
        elif action == "dispatch":
            department = object_id(post, "department", required=False)
            dept = Department.objects.filter(pk=department).first() if department else None
            limit = post.get("limit_days", "").strip()
            if limit and parse_int(limit, minimum=0, maximum=999) is None:
                raise ValidationError(_("The time limit must be a whole number of working days."))
            actions.dispatch_event(
                actor=request.user,
                event=event,
                department=dept,
                limit_days=int(limit) if limit else None,
                note=post.get("note", ""),
            )
        elif action == "handle":
            actions.handle_event(
                actor=request.user,
                event=event,
                reply=post.get("reply", ""),
                after_photos=request.FILES.getlist("photos"),
            )
        elif action == "verify":
            _verify(request, event)
        elif action == "close":
            actions.close_event(actor=request.user, event=event, note=post.get("note", ""))
        elif action == "evaluate":
            score = post.get("score", "")
            actions.evaluate_event(
                actor=request.user,
                event=event,
                score=parse_int(score, minimum=0, maximum=100) or 0,
                note=post.get("note", ""),
            )
        else:
            raise Http404
    except ValidationError as exc:
        _error_messages(request, exc)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            pgettext("city event", "Done: %(action)s.") % {"action": rules.ACTION_NAMES[action]},
        )
    return redirect("grid:event_detail", pk=event.pk)


def _verify(request: AuthenticatedRequest, event: CityEvent) -> None:
    passed = request.POST.get("passed")
    if passed not in ("yes", "no"):
        raise ValidationError(_("Say whether the problem was solved (yes or no)."))
    actions.verify_event(
        actor=request.user,
        event=event,
        passed=passed == "yes",
        note=request.POST.get("note", ""),
        photos=request.FILES.getlist("photos"),
    )


@login_required
@require_GET
def photo(request: AuthenticatedRequest, pk: int) -> FileResponse:
    item = get_object_or_404(EventPhoto.objects.select_related("event"), pk=pk)
    if not queries.visible_events(request.user).filter(pk=item.event_id).exists():
        raise Http404
    return file_response(
        item.file, filename=item.original_name or f"photo-{item.pk}", content_type=item.content_type
    )


# --- phone pages for grid workers ----------------------------------------------------------


def _require_grid_worker(request: AuthenticatedRequest) -> None:
    if not (queries.is_grid_worker(request.user) or request.user.is_superuser):
        raise PermissionDenied(_("These pages are for grid workers."))


@login_required
@require_GET
def m_home(request: AuthenticatedRequest) -> HttpResponse:
    _require_grid_worker(request)
    my_grids = GridAssignment.objects.filter(user=request.user).values("grid")
    to_verify = (
        CityEvent.objects.filter(status=EventStatus.HANDLED, grid__in=my_grids)
        .select_related("grid", "department")
        .order_by("handled_at")[:50]
    )
    mine = (
        CityEvent.objects.filter(reporter=request.user)
        .select_related("grid")
        .order_by("-created_at")[:20]
    )
    return render(
        request,
        "grid/m_home.html",
        {"to_verify": to_verify, "mine": mine},
    )


@login_required
@require_http_methods(["GET", "POST"])
def m_report(request: AuthenticatedRequest) -> HttpResponse:
    _require_grid_worker(request)
    grids = queries.my_grids(request.user)
    errors: dict[str, list[str]] = {}
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        kind, _sep, category = request.POST.get("classification", "").partition(":")
        grid = next((g for g in grids if str(g.pk) == request.POST.get("grid")), None)
        try:
            event = actions.report_event(
                actor=request.user,
                kind=kind,
                category=category,
                subclass=request.POST.get("subclass", ""),
                description=request.POST.get("description", ""),
                lat=request.POST.get("lat", ""),
                lng=request.POST.get("lng", ""),
                address=request.POST.get("address", ""),
                grid=grid,
                source=Source.PATROL,
                photos=request.FILES.getlist("photos"),
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        except PermissionDenied as exc:
            errors = {"__all__": [str(exc)]}
        else:
            messages.success(
                request, _("Case %(number)s reported. Thank you.") % {"number": event.number}
            )
            return redirect("grid:m_home")
    return render(
        request,
        "grid/m_report.html",
        {
            "grids": grids,
            "errors": errors,
            "general_errors": errors.get("__all__", [])
            + errors.get("kind", [])
            + errors.get("source", []),
            "values": values,
            "subclass_groups": rules.subclass_groups(),
            **_filter_context(),
        },
        status=422 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def m_verify(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_grid_worker(request)
    event = _visible_event(request, pk)
    if request.method == "POST":
        try:
            _verify(request, event)
        except ValidationError as exc:
            _error_messages(request, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("Verification recorded for case %(number)s.") % {"number": event.number}
            )
            return redirect("grid:m_home")
    return render(
        request,
        "grid/m_verify.html",
        {
            "event": event,
            "photos": list(event.photos.all()),
            "can_verify": "verify" in queries.allowed_actions(request.user, event),
        },
    )


# --- sensor webhook ---------------------------------------------------------------------------


def _problem(status: int, title: str, detail: str, **extra) -> JsonResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JsonResponse(
        body,
        status=status,
        content_type="application/problem+json",
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt
@require_POST
def sensor_webhook(request: HttpRequest) -> JsonResponse:
    """POST a JSON alert with header ``X-Yiwang-Token``; 201 with the case, 401, or 422 (RFC 9457)."""
    expected = getattr(settings, "YIWANG_SENSOR_TOKEN", "")
    given = request.headers.get("X-Yiwang-Token", "")
    if not expected or not given or not hmac.compare_digest(given.encode(), expected.encode()):
        return _problem(
            401,
            _("Unauthorised"),
            _("Send the shared sensor token in the X-Yiwang-Token header."),
        )
    body = request.body
    if len(body) > WEBHOOK_MAX_BYTES:
        return _problem(
            413,
            _("Payload too large"),
            _("An alert may be at most %(n)d bytes.") % {"n": WEBHOOK_MAX_BYTES},
        )
    alert = actions.ingest_raw(body, channel=AlertChannel.WEBHOOK)
    if not alert.accepted:
        return _problem(
            422,
            _("Malformed sensor alert"),
            alert.error,
            alert_id=alert.pk,
        )
    return JsonResponse(
        {
            "alert_id": alert.pk,
            # A city case, or a 12345 ticket for the types in YIWANG_SENSOR_TICKETS.
            "event_id": alert.event_id,
            "event_number": alert.event.number if alert.event else None,
            "ticket_id": alert.ticket_id,
            "ticket_number": alert.ticket.number if alert.ticket else None,
            "duplicate": alert.duplicate,
        },
        status=201,
    )
