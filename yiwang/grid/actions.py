"""Every state change in grid governance and city-management cases.

Each action validates, checks permission, writes, appends the audit entry in the
same transaction and leaves side effects (notices) to the commit.

Who may do what (scope from ``yiwang.orgs.scope``):

* grid workers (Role.GRID_WORKER) report in their posts' region and verify cases in the
  grids they are assigned to;
* dispatchers (Role.DISPATCHER) file, cancel, dispatch, close and evaluate cases in their
  posts' region (whatever department the post belongs to);
* department handlers (Role.HANDLER) reply to cases dispatched to their department within
  their region;
* leaders may evaluate; the platform itself (``actor=None`` or a label) may report and
  manage the registry (loaders, sensors).
"""

from __future__ import annotations

import json
import logging
import math
import re
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.notify.actions import notify
from yiwang.orgs.models import Department, Post, Role
from yiwang.orgs.scope import can_act, posts_of
from yiwang.regions.models import Level, Region
from yiwang.web.uploads import check_photo
from yiwang.workdays import calendar as workdays

from . import geo, rules
from .models import (
    GRID_INDEX_CACHE_KEY,
    OPEN_STATUSES,
    AlertChannel,
    CityEvent,
    Component,
    ComponentClass,
    ComponentStatus,
    DeadlineStatus,
    EventLog,
    EventPhoto,
    EventStatus,
    Grid,
    GridAssignment,
    Kind,
    PhotoPhase,
    Place,
    PlaceKind,
    SensorAlert,
    SensorDevice,
    SensorType,
    Source,
)

log = logging.getLogger(__name__)

MAX_TEXT = 2000
MAX_PHOTOS = 6
DEVICE_ID_RE = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")
SENSOR_ACTOR = "sensor"

# How a sensor's alert is filed: (kind, class, subclass).
SENSOR_CLASSIFICATION = {
    SensorType.WATERLOGGING: (Kind.EVENT, "emergency", "道路积水"),
    SensorType.MANHOLE: (Kind.COMPONENT, "public_facility", "井盖"),
    SensorType.SMOKE: (Kind.EVENT, "emergency", "火情烟感"),
    SensorType.NOISE: (Kind.EVENT, "street_order", "噪声扰民"),
}


# --- helpers ---------------------------------------------------------------------------


def is_system(actor) -> bool:
    return actor is None or isinstance(actor, str)


def _is_user(actor) -> bool:
    return getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False)


def in_region(actor, roles, region: Region | None) -> bool:
    """Whether a post of ``actor`` with one of ``roles`` covers ``region`` (any department)."""
    if not _is_user(actor):
        return False
    if actor.is_superuser:
        return True
    if region is None:
        return False
    return any(region.path.startswith(p.region.path) for p in posts_of(actor, roles))


def is_worker_of(actor, grid: Grid | None) -> bool:
    if not _is_user(actor):
        return False
    if actor.is_superuser:
        return True
    if grid is None:
        return False
    return GridAssignment.objects.filter(grid=grid, user=actor).exists()


def _may_manage_registry(actor) -> bool:
    return is_system(actor) or (
        _is_user(actor)
        and (actor.is_superuser or bool(posts_of(actor, [Role.AUTHORITY, Role.DISPATCHER])))
    )


def _actor_label(actor) -> str:
    if is_system(actor):
        return actor or "system"
    return getattr(actor, "display_name", "") or actor.get_username()


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


def _snapshot(event: CityEvent) -> dict:
    return {
        "status": event.status,
        "kind": event.kind,
        "category": event.category,
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
        actor=actor or "system",
        action=f"grid.event_{action}",
        obj=event,
        before=before,
        after=_snapshot(event),
        note=note[:200],
    )
    return event


def county_region() -> Region:
    region = Region.objects.filter(code=getattr(settings, "YIWANG_COUNTY_CODE", "441422")).first()
    if region is None:
        raise ValidationError(
            _(
                "The county region %(code)s does not exist yet: load the administrative divisions first."
            )
            % {"code": getattr(settings, "YIWANG_COUNTY_CODE", "441422")}
        )
    return region


def locate(lat: float, lng: float) -> Grid | None:
    """The grid containing the point, if any, with its village and town loaded.

    Every intake with coordinates asks this, so the polygons come from a cached index
    (``grid_index``) rather than the database; only the grid found is read."""
    for grid_id, (min_lng, min_lat, max_lng, max_lat), polygon in grid_index():
        if (
            min_lng <= lng <= max_lng
            and min_lat <= lat <= max_lat
            and geo.contains(polygon, lat, lng)
        ):
            return (
                Grid.objects.select_related("village__parent")
                .defer("polygon")
                .filter(pk=grid_id)
                .first()
            )
    return None


def grid_index() -> list:
    """(id, bounding box, polygon) of every grid; dropped whenever a grid changes."""
    index = cache.get(GRID_INDEX_CACHE_KEY)
    if index is None:
        index = [
            (pk, geo.bbox(polygon), polygon)
            for pk, polygon in Grid.objects.order_by("code").values_list("id", "polygon")
        ]
        cache.set(GRID_INDEX_CACHE_KEY, index, None)
    return index


def _check_photos(uploads: Iterable, label: str) -> list:
    uploads = [u for u in (uploads or []) if u]
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(
            {"photos": [_("Attach at most %(max)d photos at a time.") % {"max": MAX_PHOTOS}]}
        )
    return [check_photo(u, label) for u in uploads]


def _store_photos(event: CityEvent, checked: list, phase: str, actor) -> list[EventPhoto]:
    photos = []
    for item in checked:
        name = default_storage.save(
            f"grid/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{item.extension}",
            ContentFile(item.content),
        )
        photos.append(
            EventPhoto(
                event=event,
                phase=phase,
                file=name,
                original_name=item.original_name,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                uploaded_by=actor if _is_user(actor) else None,
            )
        )

    EventPhoto.objects.bulk_create(photos)
    return photos


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


# --- registry: grids, workers, components, places, devices ------------------------------------


def may_manage_registry(user) -> bool:
    """Whether a signed-in user may use the registry pages (the rule of the actions below)."""
    return _is_user(user) and _may_manage_registry(user)


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


def _clean_grid_shape(errors: dict[str, list], name, polygon) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("Give the grid's name (1 to 100 characters).")]
    try:
        geo.validate_polygon(polygon)
    except ValidationError as exc:
        errors["polygon"] = exc.messages
    return name


def _polygon_summary(polygon: dict) -> dict:
    """A small audit snapshot of a boundary: its size and bounding box."""
    return {
        "positions": sum(len(ring) for ring in polygon["coordinates"]),
        "bbox": [round(v, 6) for v in geo.bbox(polygon)],
    }


@transaction.atomic
def create_grid(*, actor, code: str, name: str, village: Region, polygon: dict) -> Grid:
    code = (code or "").strip()
    errors: dict[str, list] = {}
    if not code or len(code) > 32:
        errors["code"] = [_("Give the grid code (1 to 32 characters).")]
    elif Grid.objects.filter(code=code).exists():
        errors["code"] = [_("A grid with the code %(code)s already exists.") % {"code": code}]
    name = _clean_grid_shape(errors, name, polygon)
    if not isinstance(village, Region) or village.level != Level.VILLAGE:
        errors["village"] = [_("A grid belongs to a village or community (level 5 division).")]
    if errors:
        raise ValidationError(errors)
    if not _may_manage_registry(actor):
        raise PermissionDenied(_("Only dispatchers and the data authority can create grids."))
    grid = Grid.objects.create(code=code, name=name, village=village, polygon=polygon)
    record(
        actor=actor or "system",
        action="grid.grid_created",
        obj=grid,
        after={"code": code, "name": name, "village": village.code},
    )
    return grid


@transaction.atomic
def update_grid(*, actor, grid: Grid, name: str, polygon: dict) -> Grid:
    """Rename a grid or redraw its boundary (its code and village stay)."""
    errors: dict[str, list] = {}
    name = _clean_grid_shape(errors, name, polygon)
    if errors:
        raise ValidationError(errors)
    if not _may_manage_registry(actor):
        raise PermissionDenied(_("Only dispatchers and the data authority can change grids."))
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    before: dict = {}
    after: dict = {}
    if grid.name != name:
        before["name"], after["name"] = grid.name, name
    if grid.polygon != polygon:
        before["polygon"], after["polygon"] = (
            _polygon_summary(grid.polygon),
            _polygon_summary(polygon),
        )
    if not after:
        return grid
    grid.name, grid.polygon = name, polygon
    grid.save(update_fields=["name", "polygon"])
    record(
        actor=actor or "system", action="grid.grid_updated", obj=grid, before=before, after=after
    )
    return grid


def _town_of(grid: Grid) -> Region:
    return grid.village.parent or grid.village


def grid_worker_candidates(grid: Grid):
    """Active users with an active grid worker post inside the grid's town (a village or the
    town itself) or covering it (the county)."""
    town = _town_of(grid)
    parts = town.path.strip("/").split("/")
    covering = ["/".join(parts[:i]) + "/" for i in range(1, len(parts))]
    posts = Post.objects.filter(role=Role.GRID_WORKER, active=True).filter(
        Q(region__path__startswith=town.path) | Q(region__path__in=covering)
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=posts.values("user_id"))
        .order_by("real_name", "username")
    )


@transaction.atomic
def assign_worker(*, actor, grid: Grid, user) -> GridAssignment:
    if not user.is_superuser:
        if not posts_of(user, [Role.GRID_WORKER]):
            raise ValidationError(
                {
                    "user": [
                        _("%(user)s has no grid worker post; give them one first.") % {"user": user}
                    ]
                }
            )
        if not grid_worker_candidates(grid).filter(pk=user.pk).exists():
            raise ValidationError(
                {
                    "user": [
                        _(
                            "%(user)s is not a grid worker of %(town)s: choose a grid worker "
                            "posted in %(town)s or county-wide."
                        )
                        % {"user": user, "town": _town_of(grid).name}
                    ]
                }
            )
    if not _may_manage_registry(actor):
        raise PermissionDenied(
            _("Only dispatchers and the data authority can assign grid workers.")
        )
    assignment, created = GridAssignment.objects.get_or_create(grid=grid, user=user)
    if created:
        record(
            actor=actor or "system",
            action="grid.worker_assigned",
            obj=grid,
            after={"user": user.pk, "grid": grid.code},
        )
    return assignment


@transaction.atomic
def unassign_worker(*, actor, grid: Grid, user) -> None:
    if not _may_manage_registry(actor):
        raise PermissionDenied(
            _("Only dispatchers and the data authority can assign grid workers.")
        )
    deleted, _rows = GridAssignment.objects.filter(grid=grid, user=user).delete()
    if not deleted:
        raise ValidationError(
            {
                "user": [
                    _("%(user)s is not assigned to grid %(grid)s.")
                    % {"user": user, "grid": grid.code}
                ]
            }
        )
    record(
        actor=actor or "system",
        action="grid.worker_unassigned",
        obj=grid,
        before={"user": user.pk, "grid": grid.code},
    )


COMPONENT_FIELDS = (
    "code",
    "name",
    "component_class",
    "subclass",
    "grid",
    "competent_department",
    "owner_department",
    "maintenance_department",
    "status",
    "initial_date",
    "data_source",
    "lat",
    "lng",
)
PLACE_FIELDS = ("name", "kind", "grid", "address", "lat", "lng", "note")
DEVICE_FIELDS = ("name", "address", "lat", "lng", "grid")
_FOREIGN_KEYS = {"grid", "competent_department", "owner_department", "maintenance_department"}


def _check_fields(fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def _plain(value):
    """A JSON-friendly value for audit snapshots and change detection."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return round(float(value), 6)
    return value


def _changes(current, data: dict) -> tuple[dict, dict]:
    """(before, after) of the fields whose value changes; foreign keys by id."""
    before: dict = {}
    after: dict = {}
    for field, value in data.items():
        if field in _FOREIGN_KEYS:
            old, new = getattr(current, f"{field}_id"), getattr(value, "pk", None)
        else:
            old, new = _plain(getattr(current, field)), _plain(value)
        if old != new:
            before[field], after[field] = old, new
    return before, after


def _clean_point_into(errors: dict[str, list], lat, lng, *, required: bool):
    """(lat, lng) inside the county, or (None, None) when optional and both are empty."""
    if not required and lat in (None, "") and lng in (None, ""):
        return None, None
    try:
        return geo.clean_point(lat, lng)
    except ValidationError as exc:
        _merge_errors(errors, exc)
        return None, None


def _clean_component(values: dict, instance: Component | None) -> dict:
    """A component's attributes, validated all at once (GB/T 30428)."""
    errors: dict[str, list] = {}
    code = (values["code"] or "").strip()
    if not code or len(code) > 32:
        errors["code"] = [_("Give the component's identification code (1 to 32 characters).")]
    elif (
        Component.objects.filter(code=code)
        .exclude(pk=instance.pk if instance is not None else None)
        .exists()
    ):
        errors["code"] = [_("A component with the code %(code)s already exists.") % {"code": code}]
    name = (values["name"] or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("Give the component's name (1 to 100 characters).")]
    if values["component_class"] not in ComponentClass.values:
        errors["component_class"] = [
            _("“%(value)s” is not a component class. Choose one of: %(choices)s.")
            % {
                "value": values["component_class"],
                "choices": "、".join(str(c) for c in ComponentClass.labels),
            }
        ]
    subclass = _bounded_text(errors, "subclass", values["subclass"], 50, _("The subclass"))
    if values["status"] not in ComponentStatus.values:
        errors["status"] = [
            _("“%(value)s” is not a component status.") % {"value": values["status"]}
        ]
    if not isinstance(values["grid"], Grid):
        errors["grid"] = [_("Choose the grid the component is in.")]
    if not isinstance(values["competent_department"], Department):
        errors["competent_department"] = [_("Choose the competent department.")]
    for field in ("owner_department", "maintenance_department"):
        if values[field] is not None and not isinstance(values[field], Department):
            errors[field] = [_("Choose a department from the list, or none.")]
    initial_date = values["initial_date"]
    if not isinstance(initial_date, date) or isinstance(initial_date, datetime):
        errors["initial_date"] = [
            _("Give the initial date: the day the component was first recorded.")
        ]
    elif initial_date > workdays.today():
        errors["initial_date"] = [
            _("The initial date %(date)s is in the future.") % {"date": initial_date.isoformat()}
        ]
    data_source = _bounded_text(
        errors, "data_source", values["data_source"], 100, _("The data source")
    )
    lat, lng = _clean_point_into(errors, values["lat"], values["lng"], required=True)
    if errors:
        raise ValidationError(errors)
    return {
        **values,
        "code": code,
        "name": name,
        "subclass": subclass,
        "data_source": data_source,
        "lat": lat,
        "lng": lng,
    }


@transaction.atomic
def create_component(
    *,
    actor,
    code: str,
    name: str,
    component_class: str,
    grid: Grid,
    competent_department: Department,
    lat,
    lng,
    initial_date: date,
    subclass: str = "",
    owner_department: Department | None = None,
    maintenance_department: Department | None = None,
    status: str = ComponentStatus.INTACT,
    data_source: str = "",
) -> Component:
    data = _clean_component(
        {
            "code": code,
            "name": name,
            "component_class": component_class,
            "subclass": subclass,
            "grid": grid,
            "competent_department": competent_department,
            "owner_department": owner_department,
            "maintenance_department": maintenance_department,
            "status": status,
            "initial_date": initial_date,
            "data_source": data_source,
            "lat": lat,
            "lng": lng,
        },
        None,
    )
    if not _may_manage_registry(actor):
        raise PermissionDenied(
            _("Only dispatchers and the data authority can register components.")
        )
    component = Component.objects.create(**data)
    record(
        actor=actor or "system",
        action="grid.component_created",
        obj=component,
        after={"code": component.code, "class": component.component_class, "grid": grid.code},
    )
    return component


@transaction.atomic
def update_component(*, actor, component: Component, **fields) -> Component:
    """Change some of a component's attributes (``COMPONENT_FIELDS``; the others stay).
    A change of status sets the change date (变更日期) to today."""
    _check_fields(fields, COMPONENT_FIELDS)
    current = Component.objects.select_for_update().get(pk=component.pk)
    values = {f: fields[f] if f in fields else getattr(current, f) for f in COMPONENT_FIELDS}
    data = _clean_component(values, current)
    if not _may_manage_registry(actor):
        raise PermissionDenied(_("Only dispatchers and the data authority can change components."))
    before, after = _changes(current, data)
    if not after:
        return current
    if "status" in after:
        data["changed_date"] = workdays.today()
        before["changed_date"] = _plain(current.changed_date)
        after["changed_date"] = _plain(data["changed_date"])
    for field, value in data.items():
        setattr(current, field, value)
    current.save()
    record(
        actor=actor or "system",
        action="grid.component_updated",
        obj=current,
        before=before,
        after=after,
    )
    return current


def _clean_place(values: dict) -> dict:
    errors: dict[str, list] = {}
    name = (values["name"] or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("Give the place's name (1 to 100 characters).")]
    if values["kind"] not in PlaceKind.values:
        errors["kind"] = [_("“%(value)s” is not a kind of place.") % {"value": values["kind"]}]
    if not isinstance(values["grid"], Grid):
        errors["grid"] = [_("Choose the grid the place is in.")]
    address = _bounded_text(errors, "address", values["address"], 200, _("The address"))
    note = _bounded_text(errors, "note", values["note"], 200, _("The note"))
    lat, lng = _clean_point_into(errors, values["lat"], values["lng"], required=False)
    if errors:
        raise ValidationError(errors)
    return {**values, "name": name, "address": address, "note": note, "lat": lat, "lng": lng}


@transaction.atomic
def create_place(
    *,
    actor,
    name: str,
    kind: str,
    grid: Grid,
    address: str = "",
    lat=None,
    lng=None,
    note: str = "",
) -> Place:
    data = _clean_place(
        {
            "name": name,
            "kind": kind,
            "grid": grid,
            "address": address,
            "lat": lat,
            "lng": lng,
            "note": note,
        }
    )
    if not _may_manage_registry(actor):
        raise PermissionDenied(_("Only dispatchers and the data authority can register places."))
    place = Place.objects.create(**data)
    record(
        actor=actor or "system",
        action="grid.place_created",
        obj=place,
        after={"name": place.name, "kind": place.kind, "grid": grid.code},
    )
    return place


@transaction.atomic
def update_place(*, actor, place: Place, **fields) -> Place:
    """Change some of a place's attributes (``PLACE_FIELDS``; the others stay)."""
    _check_fields(fields, PLACE_FIELDS)
    current = Place.objects.select_for_update().get(pk=place.pk)
    values = {f: fields[f] if f in fields else getattr(current, f) for f in PLACE_FIELDS}
    data = _clean_place(values)
    if not _may_manage_registry(actor):
        raise PermissionDenied(_("Only dispatchers and the data authority can change places."))
    before, after = _changes(current, data)
    if not after:
        return current
    for field, value in data.items():
        setattr(current, field, value)
    current.save()
    record(
        actor=actor or "system",
        action="grid.place_updated",
        obj=current,
        before=before,
        after=after,
    )
    return current


def _clean_device_site(values: dict) -> dict:
    """Where a device is and what it is called: name, address, location, grid."""
    errors: dict[str, list] = {}
    name = _bounded_text(errors, "name", values["name"], 100, _("The name"))
    address = _bounded_text(errors, "address", values["address"], 200, _("The address"))
    lat, lng = _clean_point_into(errors, values["lat"], values["lng"], required=True)
    if values["grid"] is not None and not isinstance(values["grid"], Grid):
        errors["grid"] = [_("Choose a grid from the list, or leave it to the location.")]
    if errors:
        raise ValidationError(errors)
    return {**values, "name": name, "address": address, "lat": lat, "lng": lng}


@transaction.atomic
def register_device(
    *,
    actor,
    device_id: str,
    sensor_type: str,
    lat,
    lng,
    name: str = "",
    address: str = "",
    grid: Grid | None = None,
) -> SensorDevice:
    """Register a sensor; ``grid=None``: the grid containing its location (if any)."""
    errors: dict[str, list] = {}
    device_id = (device_id or "").strip()
    if not DEVICE_ID_RE.match(device_id):
        errors["device_id"] = [
            _("The device ID must be 1 to 64 letters, digits or . _ : - characters.")
        ]
    elif SensorDevice.objects.filter(device_id=device_id).exists():
        errors["device_id"] = [_("Device %(id)s is already registered.") % {"id": device_id}]
    if sensor_type not in SensorType.values:
        errors["sensor_type"] = [
            _("“%(value)s” is not a sensor type (one of: %(choices)s).")
            % {"value": sensor_type, "choices": ", ".join(SensorType.values)}
        ]
    data: dict = {}
    try:
        data = _clean_device_site(
            {"name": name, "address": address, "lat": lat, "lng": lng, "grid": grid}
        )
    except ValidationError as exc:
        _merge_errors(errors, exc)
    if errors:
        raise ValidationError(errors)
    if not _may_manage_registry(actor):
        raise PermissionDenied(_("Only dispatchers and the data authority can register sensors."))
    if data["grid"] is None:
        data["grid"] = locate(data["lat"], data["lng"])
    device = SensorDevice.objects.create(device_id=device_id, sensor_type=sensor_type, **data)
    record(
        actor=actor or "system",
        action="grid.device_registered",
        obj=device,
        after={"device_id": device_id, "type": sensor_type, "grid": device.grid_id},
    )
    return device


@transaction.atomic
def update_device(*, actor, device: SensorDevice, **fields) -> SensorDevice:
    """Change a device's name, address, location or grid (``DEVICE_FIELDS``; the others stay).
    ``grid=None``: the grid containing the (new) location."""
    _check_fields(fields, DEVICE_FIELDS)
    current = SensorDevice.objects.select_for_update().get(pk=device.pk)
    values = {f: fields[f] if f in fields else getattr(current, f) for f in DEVICE_FIELDS}
    data = _clean_device_site(values)
    if not _may_manage_registry(actor):
        raise PermissionDenied(
            _("Only dispatchers and the data authority can change sensor devices.")
        )
    if data["grid"] is None:
        data["grid"] = locate(data["lat"], data["lng"])
    before, after = _changes(current, data)
    if not after:
        return current
    for field, value in data.items():
        setattr(current, field, value)
    current.save()
    record(
        actor=actor or "system",
        action="grid.device_updated",
        obj=current,
        before=before,
        after=after,
    )
    return current


# --- the seven steps ------------------------------------------------------------------------


def _number(event: CityEvent) -> str:
    day = workdays.local_date(event.created_at or timezone.now())
    return f"CG{day:%Y%m%d}{event.pk:06d}"


def _create_event(
    *,
    actor,
    source: str,
    kind: str,
    category: str,
    subclass: str,
    description: str,
    lat: float,
    lng: float,
    address: str,
    grid: Grid | None,
    region: Region,
    component: Component | None,
    sensor_key: str = "",
    photos: list | None = None,
) -> CityEvent:
    event = CityEvent.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:16]}",
        source=source,
        kind=kind,
        category=category,
        subclass=subclass[:50],
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
        actor=actor or "system",
        action="grid.event_reported",
        obj=event,
        after={**_snapshot(event), "number": event.number, "source": source},
    )
    return event


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
    subclass: str = "",
    address: str = "",
    grid: Grid | None = None,
    component: Component | None = None,
    photos: Iterable = (),
) -> CityEvent:
    """信息收集: a grid worker (or a dispatcher, or the platform) reports a case."""
    errors: dict[str, list] = {}
    for func in (
        lambda: rules.clean_classification(kind, category),
        lambda: geo.clean_point(lat, lng),
    ):
        try:
            func()
        except ValidationError as exc:
            for key, msgs in exc.message_dict.items():
                errors.setdefault(key, []).extend(msgs)
    if source not in Source.values:
        errors["source"] = [_("“%(value)s” is not a source of cases.") % {"value": source}]
    try:
        description = _clean_text(description, "description", _("The description"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if len((subclass or "").strip()) > 50:
        errors["subclass"] = [_("Keep the subclass under 50 characters.")]
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
        if not (assigned or in_region(actor, [Role.GRID_WORKER, Role.DISPATCHER], region)):
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
        subclass=(subclass or "").strip(),
        description=description,
        lat=lat,
        lng=lng,
        address=(address or "").strip(),
        grid=grid,
        region=region,
        component=component,
        photos=checked,
    )


def report_request(
    *,
    actor,
    grid: Grid | None,
    type: str,
    category,
    content: str,
    lat,
    lng,
    address: str = "",
    resident_name: str = "",
    resident_phone: str = "",
    anonymous: bool = False,
    photos: Iterable = (),
):
    """A resident's request met on patrol (咨询, 求助, 投诉, 举报, 建议) becomes a 12345 ticket of
    the grid channel, dispatched and called back like any other ticket. City-management
    problems the worker sees for themself stay cases (``report_event``)."""
    from yiwang.hotline import actions as hotline
    from yiwang.hotline.models import Channel

    if grid is None:
        raise ValidationError({"grid": [_("Choose the grid where the resident lives or asked.")]})
    if not (is_system(actor) or is_worker_of(actor, grid)):
        raise PermissionDenied(
            _("You can pass on requests only from your own grids; %(grid)s is not one of them.")
            % {"grid": grid.name}
        )
    return hotline.register_ticket(
        actor=actor,
        channel=Channel.GRID,
        type=type,
        category=category,
        content=content,
        caller_name=resident_name,
        caller_phone=resident_phone,
        anonymous=anonymous,
        address=address,
        lat=lat if lat not in (None, "") else None,
        lng=lng if lng not in (None, "") else None,
        region=grid.village,
        photos=list(photos),
        source_ref=f"grid:{grid.code}",
    )


def _dispatcher_transition(action: str, actor, event: CityEvent, roles=(Role.DISPATCHER,)):
    event = _locked(event)
    rules.ensure_allowed(action, event)
    if not in_region(actor, list(roles), event.region):
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
    subclass: str | None = None,
    note: str = "",
) -> CityEvent:
    """案卷建立: the report is valid; file it as a component or event case (re-classify if needed)."""
    kind = kind or event.kind
    category = category or event.category
    rules.clean_classification(kind, category)
    note = _clean_text(note, "note", _("The note"), required=False)
    event, before = _dispatcher_transition("file", actor, event)
    event.kind, event.category = kind, category
    if subclass is not None:
        event.subclass = subclass.strip()[:50]
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
    department: Department,
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
            status = workdays.deadline_status(event.due_at, now)
            if status != event.deadline_status:
                event.deadline_status = status
                changed.append(event)
    if changed:
        with transaction.atomic():
            CityEvent.objects.bulk_update(changed, ["deadline_status"], batch_size=500)
            record(
                actor="system",
                action="grid.deadlines_swept",
                after={"changed": len(changed)},
            )
    return len(changed)


# --- sensor alerts ------------------------------------------------------------------------


def _number_field(payload: dict, key: str, errors: list[str]) -> float | None:
    if key not in payload or payload[key] is None:
        errors.append(_("“%(key)s” is missing: send it as a number.") % {"key": key})
        return None
    value = payload[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.append(
            _("“%(key)s” must be a number, not %(value)s.")
            % {"key": key, "value": json.dumps(value)[:40]}
        )
        return None
    if not math.isfinite(value):
        errors.append(_("“%(key)s” must be a finite number.") % {"key": key})
        return None
    return float(value)


def _clean_alert(payload) -> tuple[dict, list[str], SensorDevice | None]:
    errors: list[str] = []
    if not isinstance(payload, dict):
        return (
            {},
            [_("The payload must be a JSON object with device_id, type, value and threshold.")],
            None,
        )
    out: dict = {}
    device_id = payload.get("device_id")
    device = None
    if not isinstance(device_id, str) or not DEVICE_ID_RE.match(device_id):
        errors.append(
            _(
                "“device_id” is missing or invalid: send 1 to 64 letters, digits or . _ : - characters."
            )
        )
    else:
        out["device_id"] = device_id
        device = SensorDevice.objects.select_for_update().filter(device_id=device_id).first()
        if device is not None and not device.active:
            errors.append(
                _("Device %(id)s is deactivated; its alerts are not accepted.") % {"id": device_id}
            )
    sensor_type = payload.get("type")
    if sensor_type not in SensorType.values:
        errors.append(
            _("“type” must be one of %(choices)s (got %(value)s).")
            % {"choices": ", ".join(SensorType.values), "value": json.dumps(sensor_type)[:40]}
        )
    else:
        out["type"] = sensor_type
        if device is not None and device.sensor_type != sensor_type:
            errors.append(
                _("Device %(id)s is registered as a “%(registered)s” sensor, not “%(sent)s”.")
                % {"id": device.device_id, "registered": device.sensor_type, "sent": sensor_type}
            )
    out["value"] = _number_field(payload, "value", errors)
    out["threshold"] = _number_field(payload, "threshold", errors)
    has_lat, has_lng = payload.get("lat") is not None, payload.get("lng") is not None
    if has_lat or has_lng:
        lat, lng = payload.get("lat"), payload.get("lng")
        if not (has_lat and has_lng):
            errors.append(_("Send both “lat” and “lng”, or neither for a registered device."))
        elif any(isinstance(v, bool) or not isinstance(v, int | float) for v in (lat, lng)):
            errors.append(_("“lat” and “lng” must be numbers (decimal degrees)."))
        else:
            try:
                out["lat"], out["lng"] = geo.clean_point(lat, lng)
            except ValidationError as exc:
                errors.extend(exc.messages)
    elif device is None:
        errors.append(
            _(
                "Device %(id)s is not registered, so the alert needs its location: send “lat” and “lng”."
            )
            % {"id": out.get("device_id", "?")}
        )
    return out, errors, device


def _reject(payload, errors: list[str], channel: str, device: SensorDevice | None) -> SensorAlert:
    raw = payload if isinstance(payload, dict) else {"raw": payload}
    alert = SensorAlert.objects.create(
        device=device,
        device_ref=str(raw.get("device_id", ""))[:64] if isinstance(raw, dict) else "",
        sensor_type=str(raw.get("type", ""))[:20] if isinstance(raw, dict) else "",
        value=_float_or_none(raw.get("value")),
        threshold=_float_or_none(raw.get("threshold")),
        channel=channel,
        payload=_storable(raw),
        accepted=False,
        error=" ".join(str(e) for e in errors),
    )
    log.warning("Rejected sensor alert #%s via %s: %s", alert.pk, channel, alert.error)
    record(
        actor=SENSOR_ACTOR,
        action="grid.sensor_alert_rejected",
        obj=alert,
        after={"channel": channel, "error": alert.error[:300]},
    )
    return alert


def _float_or_none(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _storable(payload):
    """The payload as JSON we can store (large or odd payloads are truncated to text)."""
    try:
        text = json.dumps(payload, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return {"raw": repr(payload)[:4000]}
    if len(text) > 8000:
        return {"raw": text[:4000], "truncated": True}
    return payload


def ingest_raw(body: bytes | str, *, channel: str = AlertChannel.OTHER) -> SensorAlert:
    """Parse a JSON message and ingest it; unparseable messages are stored as rejected alerts."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        payload = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        with transaction.atomic():
            return _reject(
                {"raw": raw[:4000]},
                [_("The message is not valid JSON (%(error)s).") % {"error": str(exc)[:100]}],
                channel,
                None,
            )
    return ingest_sensor_alert(payload, channel=channel)


@transaction.atomic
def ingest_sensor_alert(payload, *, channel: str = AlertChannel.OTHER) -> SensorAlert:
    """Turn a sensor alert into a case (source: sensor) or, for the sensor types in
    ``YIWANG_SENSOR_TICKETS``, a 12345 ticket (channel: sensor); a repeated alert from the same
    device and type joins the one still open. Malformed payloads are stored as rejected alerts
    with the reason."""
    with translation.override(settings.LANGUAGE_CODE):
        data, errors, device = _clean_alert(payload)
        if errors:
            return _reject(payload, errors, channel, device)
        if device is None:
            device = _auto_register(data)
        lat = data.get("lat", float(device.lat))
        lng = data.get("lng", float(device.lng))
        alert = SensorAlert(
            device=device,
            device_ref=device.device_id,
            sensor_type=data["type"],
            value=data["value"],
            threshold=data["threshold"],
            channel=channel,
            payload=_storable(payload),
            accepted=True,
        )
        grid = device.grid if "lat" not in data else locate(lat, lng)
        description = _(
            "%(type)s alert: device %(device)s measured %(value)s, threshold %(threshold)s."
        ) % {
            "type": SensorType(data["type"]).label,
            "device": device.device_id,
            "value": data["value"],
            "threshold": data["threshold"],
        }
        route = settings.YIWANG_SENSOR_TICKETS.get(data["type"])
        try:
            if route:
                with transaction.atomic():
                    _alert_to_ticket(alert, route, device, grid, description, lat, lng)
        except ValidationError as exc:
            # A wrong route (say, a category since removed) must not lose the alert: it
            # becomes a city case and the log says why.
            log.error("sensor type %s cannot become a ticket (%s)", data["type"], exc.messages)
            route = None
        if not route:
            _alert_to_event(alert, data, device, grid, description, lat, lng)
        alert.save()
        record(
            actor=SENSOR_ACTOR,
            action="grid.sensor_alert",
            obj=alert,
            after={
                "channel": channel,
                "device": device.device_id,
                "type": data["type"],
                "event": alert.event.number if alert.event else None,
                "ticket": alert.ticket.number if alert.ticket else None,
                "duplicate": alert.duplicate,
            },
        )
        return alert


def _alert_to_event(alert, data, device, grid, description, lat, lng) -> None:
    key = f"{device.device_id}:{data['type']}"
    open_event = (
        CityEvent.objects.filter(sensor_key=key, status__in=OPEN_STATUSES).order_by("-id").first()
    )
    if open_event is not None:
        alert.event, alert.duplicate = open_event, True
        _log(
            open_event,
            SENSOR_ACTOR,
            "alert",
            open_event.status,
            _("Repeated alert: value %(value)s (threshold %(threshold)s).")
            % {"value": data["value"], "threshold": data["threshold"]},
        )
        return
    kind, category, subclass = SENSOR_CLASSIFICATION[data["type"]]
    alert.event = _create_event(
        actor=SENSOR_ACTOR,
        source=Source.SENSOR,
        kind=kind,
        category=category,
        subclass=subclass,
        description=description,
        lat=lat,
        lng=lng,
        address=device.address or device.name,
        grid=grid,
        region=grid.village if grid is not None else county_region(),
        component=None,
        sensor_key=key,
    )


def _alert_to_ticket(alert, route: dict, device, grid, description, lat, lng) -> None:
    from yiwang.hotline import actions as hotline
    from yiwang.hotline.models import OPEN_STATUSES as OPEN_TICKET_STATUSES
    from yiwang.hotline.models import Channel, Ticket

    source_ref = f"sensor:{device.pk}:{alert.sensor_type}"
    open_ticket = (
        Ticket.objects.filter(
            channel=Channel.SENSOR, source_ref=source_ref, status__in=OPEN_TICKET_STATUSES
        )
        .order_by("-id")
        .first()
    )
    if open_ticket is not None:
        alert.ticket, alert.duplicate = open_ticket, True
        return
    alert.ticket = hotline.register_ticket(
        actor=SENSOR_ACTOR,
        channel=Channel.SENSOR,
        type=route["type"],
        category=route["category"],
        content=description,
        anonymous=True,
        address=device.address or device.name,
        lat=lat,
        lng=lng,
        region=grid.village if grid is not None else None,
        source_ref=source_ref,
    ).ticket


def _auto_register(data: dict) -> SensorDevice:
    """An unknown device that sent its location is registered on its first alert."""
    try:
        with transaction.atomic():
            device = SensorDevice.objects.create(
                device_id=data["device_id"],
                sensor_type=data["type"],
                lat=data["lat"],
                lng=data["lng"],
                grid=locate(data["lat"], data["lng"]),
            )
    except IntegrityError:
        return SensorDevice.objects.select_for_update().get(device_id=data["device_id"])
    record(
        actor=SENSOR_ACTOR,
        action="grid.device_registered",
        obj=device,
        after={"device_id": device.device_id, "type": device.sensor_type, "auto": True},
    )
    return device
