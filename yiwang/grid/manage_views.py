"""Back office for the grid registry: grids and their workers, components (部件), places
(人地事物), sensor devices, and the sensor alerts that were rejected.

Every page and change follows one rule, ``actions.may_manage_registry`` (superusers, the data
authority, dispatchers); every change goes through ``grid.actions``. Lists are paginated and
load their relations with a fixed number of queries.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, Max, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.web import params

from . import actions, geo
from .manage_forms import (
    AssignWorkerForm,
    ComponentForm,
    DeviceEditForm,
    DeviceForm,
    GridCreateForm,
    GridEditForm,
    PlaceForm,
)
from .models import (
    AlertChannel,
    Component,
    ComponentClass,
    ComponentStatus,
    Grid,
    GridAssignment,
    Place,
    PlaceKind,
    SensorAlert,
    SensorDevice,
    SensorType,
)

PAGE_SIZE = 50
PREVIEW_SIZE = 240  # the boundary sketch on the grid page, in SVG units


T = TypeVar("T")


def _require_manager(request: HttpRequest) -> None:
    if not actions.may_manage_registry(request.user):
        raise PermissionDenied(
            _(
                "Grid, component and sensor management is for dispatchers and the data "
                "authority; your account has neither post."
            )
        )


def _page(request: HttpRequest, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _attach(form, exc: ValidationError) -> None:
    """Put an action's errors on the matching form fields (the rest above the form)."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, errors in exc.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


def _submit(form: forms.Form, change: Callable[[dict[str, Any]], T]) -> T | None:
    """Run ``change(cleaned_data)`` when the form parses; None (errors on the form) otherwise."""
    if not form.is_valid():
        return None
    try:
        return change(form.cleaned_data)
    except ValidationError as exc:
        _attach(form, exc)
        return None


def _status(form) -> int:
    return 422 if form.is_bound and form.errors else 200


def _choice(request: HttpRequest, name: str, allowed) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else ""


def _grid_filter(request: HttpRequest) -> Grid | None:
    value = request.GET.get("grid", "")
    pk = params.parse_int(value, minimum=1, maximum=params.MAX_ID)
    return Grid.objects.filter(pk=pk).first() if pk else None


def _grids_for_filter():
    return list(Grid.objects.only("id", "code", "name").order_by("code"))


# --- grids ---------------------------------------------------------------------------------


def _count(model, field: str):
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


@login_required
@require_GET
def grid_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    text = request.GET.get("q", "").strip()[:50]
    qs = (
        Grid.objects.select_related("village", "village__parent")
        .annotate(n_components=_count(Component, "grid"), n_places=_count(Place, "grid"))
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=GridAssignment.objects.select_related("user").order_by("user__username"),
            )
        )
        .order_by("code")
    )
    if text:
        qs = qs.filter(Q(code__icontains=text) | Q(name__icontains=text))
    return render(
        request,
        "grid/manage/grids.html",
        {"page": _page(request, qs), "text": text, "tab": "grids"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def grid_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = GridCreateForm(request.POST or None)
    if request.method == "POST":
        grid = _submit(
            form,
            lambda d: actions.create_grid(
                actor=request.user,
                code=d["code"],
                name=d["name"],
                village=d["village"],
                polygon=d["polygon"],
            ),
        )
        if grid is not None:
            messages.success(request, _("Grid %(grid)s created.") % {"grid": grid})
            return redirect("grid:manage_grid_edit", pk=grid.pk)
    return render(
        request, "grid/manage/grid_form.html", {"form": form, "tab": "grids"}, status=_status(form)
    )


def _outline(polygon: dict) -> dict | None:
    """An SVG sketch of the boundary (north up, longitude scaled by the latitude's cosine)."""
    try:
        min_lng, min_lat, max_lng, max_lat = geo.bbox(polygon)
    except (KeyError, IndexError, TypeError):
        return None
    scale_x = math.cos(math.radians((min_lat + max_lat) / 2))
    width, height = (max_lng - min_lng) * scale_x, max_lat - min_lat
    if width <= 0 or height <= 0:
        return None
    factor = PREVIEW_SIZE / max(width, height)
    rings = []
    for ring in polygon["coordinates"]:
        points = [
            f"{(p[0] - min_lng) * scale_x * factor:.1f},{(max_lat - p[1]) * factor:.1f}"
            for p in ring
        ]
        rings.append("M" + " L".join(points) + " Z")
    margin = 4
    return {
        "viewbox": f"{-margin} {-margin} {width * factor + 2 * margin:.1f} "
        f"{height * factor + 2 * margin:.1f}",
        "path": " ".join(rings),
    }


def _grid_page(request, grid: Grid, form, assign_form, status: int = 200) -> HttpResponse:
    assigned = list(
        GridAssignment.objects.filter(grid=grid).select_related("user").order_by("user__username")
    )
    return render(
        request,
        "grid/manage/grid_edit.html",
        {
            "grid": grid,
            "form": form,
            "assign_form": assign_form,
            "assigned": assigned,
            "outline": _outline(grid.polygon),
            "n_components": grid.components.count(),
            "n_places": grid.places.count(),
            "n_devices": grid.devices.count(),
            "tab": "grids",
        },
        status=status,
    )


def _candidates(grid: Grid) -> list:
    """Grid workers who may join the grid and are not in it yet."""
    assigned = GridAssignment.objects.filter(grid=grid).values("user_id")
    return list(actions.grid_worker_candidates(grid).exclude(pk__in=assigned))


@login_required
@require_http_methods(["GET", "POST"])
def grid_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    grid = get_object_or_404(Grid.objects.select_related("village", "village__parent"), pk=pk)
    initial = {"name": grid.name, "polygon": json.dumps(grid.polygon, ensure_ascii=False)}
    form = GridEditForm(request.POST or None, initial=initial)
    if request.method == "POST":
        updated = _submit(
            form,
            lambda d: actions.update_grid(
                actor=request.user, grid=grid, name=d["name"], polygon=d["polygon"]
            ),
        )
        if updated is not None:
            messages.success(request, _("Grid %(grid)s saved.") % {"grid": updated})
            return redirect("grid:manage_grid_edit", pk=grid.pk)
    assign_form = AssignWorkerForm(candidates=_candidates(grid))
    return _grid_page(request, grid, form, assign_form, status=_status(form))


@login_required
@require_POST
def grid_assign(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    grid = get_object_or_404(Grid.objects.select_related("village", "village__parent"), pk=pk)
    assign_form = AssignWorkerForm(request.POST, candidates=_candidates(grid))
    assignment = _submit(
        assign_form,
        lambda d: actions.assign_worker(actor=request.user, grid=grid, user=d["user"]),
    )
    if assignment is None:
        form = GridEditForm(
            initial={"name": grid.name, "polygon": json.dumps(grid.polygon, ensure_ascii=False)}
        )
        return _grid_page(request, grid, form, assign_form, status=422)
    messages.success(
        request,
        _("%(user)s now works in grid %(grid)s.") % {"user": assignment.user, "grid": grid},
    )
    return redirect("grid:manage_grid_edit", pk=grid.pk)


@login_required
@require_POST
def grid_unassign(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    grid = get_object_or_404(Grid, pk=pk)
    user_id = request.POST.get("user", "")
    assignment = get_object_or_404(
        GridAssignment.objects.select_related("user"),
        grid=grid,
        user_id=params.parse_int(user_id, minimum=1, maximum=params.MAX_ID) or 0,
    )
    try:
        actions.unassign_worker(actor=request.user, grid=grid, user=assignment.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(user)s no longer works in grid %(grid)s.")
            % {"user": assignment.user, "grid": grid},
        )
    return redirect("grid:manage_grid_edit", pk=grid.pk)


# --- components ------------------------------------------------------------------------------


@login_required
@require_GET
def component_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    grid = _grid_filter(request)
    component_class = _choice(request, "class", ComponentClass.values)
    status = _choice(request, "status", ComponentStatus.values)
    text = request.GET.get("q", "").strip()[:50]
    qs = Component.objects.select_related("grid", "competent_department").order_by("code")
    if grid is not None:
        qs = qs.filter(grid=grid)
    if component_class:
        qs = qs.filter(component_class=component_class)
    if status:
        qs = qs.filter(status=status)
    if text:
        qs = qs.filter(Q(code__icontains=text) | Q(name__icontains=text))
    return render(
        request,
        "grid/manage/components.html",
        {
            "page": _page(request, qs),
            "grids": _grids_for_filter(),
            "classes": ComponentClass.choices,
            "statuses": ComponentStatus.choices,
            "filters": {
                "grid": grid.pk if grid else None,
                "class": component_class,
                "status": status,
                "q": text,
            },
            "tab": "components",
        },
    )


def _component_change(request, component: Component | None):
    def change(d):
        fields = {name: d[name] for name in actions.COMPONENT_FIELDS}
        if component is None:
            return actions.create_component(actor=request.user, **fields)
        return actions.update_component(actor=request.user, component=component, **fields)

    return change


@login_required
@require_http_methods(["GET", "POST"])
def component_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    initial: dict[str, object] = {"initial_date": timezone.localdate()}
    if grid := _grid_filter(request):
        initial["grid"] = grid
    form = ComponentForm(request.POST or None, initial=initial)
    if request.method == "POST":
        component = _submit(form, _component_change(request, None))
        if component is not None:
            messages.success(request, _("Component %(c)s registered.") % {"c": component})
            return redirect("grid:manage_components")
    return render(
        request,
        "grid/manage/component_form.html",
        {"form": form, "component": None, "tab": "components"},
        status=_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def component_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    component = get_object_or_404(Component, pk=pk)
    initial = {name: getattr(component, name) for name in actions.COMPONENT_FIELDS}
    form = ComponentForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = _submit(form, _component_change(request, component))
        if saved is not None:
            messages.success(request, _("Component %(c)s saved.") % {"c": saved})
            return redirect("grid:manage_component_edit", pk=saved.pk)
    return render(
        request,
        "grid/manage/component_form.html",
        {"form": form, "component": component, "tab": "components"},
        status=_status(form),
    )


# --- places ----------------------------------------------------------------------------------


@login_required
@require_GET
def place_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    grid = _grid_filter(request)
    kind = _choice(request, "kind", PlaceKind.values)
    text = request.GET.get("q", "").strip()[:50]
    qs = Place.objects.select_related("grid").order_by("grid__code", "name", "id")
    if grid is not None:
        qs = qs.filter(grid=grid)
    if kind:
        qs = qs.filter(kind=kind)
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(address__icontains=text))
    return render(
        request,
        "grid/manage/places.html",
        {
            "page": _page(request, qs),
            "grids": _grids_for_filter(),
            "kinds": PlaceKind.choices,
            "filters": {"grid": grid.pk if grid else None, "kind": kind, "q": text},
            "tab": "places",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def place_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_manager(request)
    place = get_object_or_404(Place, pk=pk) if pk is not None else None
    if place is not None:
        initial = {name: getattr(place, name) for name in actions.PLACE_FIELDS}
    else:
        initial = {"grid": _grid_filter(request)}
    form = PlaceForm(request.POST or None, initial=initial)
    if request.method == "POST":

        def change(d):
            fields = {name: d[name] for name in actions.PLACE_FIELDS}
            if place is None:
                return actions.create_place(actor=request.user, **fields)
            return actions.update_place(actor=request.user, place=place, **fields)

        saved = _submit(form, change)
        if saved is not None:
            messages.success(request, _("Place %(place)s saved.") % {"place": saved})
            return redirect("grid:manage_places")
    return render(
        request,
        "grid/manage/place_form.html",
        {"form": form, "place": place, "tab": "places"},
        status=_status(form),
    )


# --- sensor devices --------------------------------------------------------------------------


@login_required
@require_GET
def device_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    grid = _grid_filter(request)
    sensor_type = _choice(request, "type", SensorType.values)
    qs = (
        SensorDevice.objects.select_related("grid")
        .annotate(last_alert=Max("alerts__received_at"), n_alerts=Count("alerts"))
        .order_by("device_id")
    )
    if grid is not None:
        qs = qs.filter(grid=grid)
    if sensor_type:
        qs = qs.filter(sensor_type=sensor_type)
    return render(
        request,
        "grid/manage/devices.html",
        {
            "page": _page(request, qs),
            "grids": _grids_for_filter(),
            "types": SensorType.choices,
            "filters": {"grid": grid.pk if grid else None, "type": sensor_type},
            "tab": "devices",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def device_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_manager(request)
    device = get_object_or_404(SensorDevice, pk=pk) if pk is not None else None
    form: DeviceForm | DeviceEditForm
    if device is not None:
        initial = {name: getattr(device, name) for name in actions.DEVICE_FIELDS}
        form = DeviceEditForm(request.POST or None, initial=initial)
    else:
        form = DeviceForm(request.POST or None)
    if request.method == "POST":

        def change(d):
            fields = {name: d[name] for name in actions.DEVICE_FIELDS}
            if device is None:
                return actions.register_device(
                    actor=request.user,
                    device_id=d["device_id"],
                    sensor_type=d["sensor_type"],
                    **fields,
                )
            return actions.update_device(actor=request.user, device=device, **fields)

        saved = _submit(form, change)
        if saved is not None:
            messages.success(request, _("Device %(id)s saved.") % {"id": saved.device_id})
            return redirect("grid:manage_devices")
    return render(
        request,
        "grid/manage/device_form.html",
        {"form": form, "device": device, "tab": "devices"},
        status=_status(form),
    )


# --- rejected sensor alerts --------------------------------------------------------------------


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@login_required
@require_GET
def rejected_alerts(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    channel = _choice(request, "channel", AlertChannel.values)
    since = _day(request.GET.get("from", ""))
    until = _day(request.GET.get("to", ""))
    qs = SensorAlert.objects.filter(accepted=False).select_related("device")
    if channel:
        qs = qs.filter(channel=channel)
    if since:
        qs = qs.filter(received_at__gte=_start_of(since))
    if until:
        qs = qs.filter(received_at__lt=_start_of(until + timedelta(days=1)))
    page = _page(request, qs.order_by("-received_at", "-id"))
    for alert in page.object_list:
        alert.payload_text = json.dumps(alert.payload, ensure_ascii=False, indent=2)
    return render(
        request,
        "grid/manage/rejected_alerts.html",
        {
            "page": page,
            "channels": AlertChannel.choices,
            "filters": {
                "channel": channel,
                "from": since.isoformat() if since else "",
                "to": until.isoformat() if until else "",
            },
            "tab": "alerts",
        },
    )
