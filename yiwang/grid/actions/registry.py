"""The registry of what is in the grids: city components (GB/T 30428 attributes), places
(人地事物) and sensor devices. Dispatchers and the data authority keep it."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM
from yiwang.orgs.models import Department
from yiwang.workdays import calendar as workdays

from .. import geo, rules
from ..models import (
    Component,
    ComponentClass,
    ComponentStatus,
    Grid,
    Kind,
    Place,
    PlaceKind,
    SensorDevice,
    SensorType,
)
from ._common import _apply_change, _bounded_text, _may_manage_registry, _merge_errors
from .grids import locate

DEVICE_ID_RE = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")

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
_FOREIGN_KEYS = {
    "grid",
    "competent_department",
    "owner_department",
    "maintenance_department",
    "subclass",
}


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
        .exclude(pk__in=[instance.pk] if instance is not None else [])
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
    subclass = None
    if "component_class" not in errors:
        try:
            subclass = rules.clean_subclass(
                Kind.COMPONENT,
                values["component_class"],
                values["subclass"],
                current_id=instance.subclass_id if instance is not None else None,
            )
        except ValidationError as exc:
            _merge_errors(errors, exc)
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
    subclass=None,
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
        actor=actor or SYSTEM,
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
    return _apply_change(
        current, data, actor=actor, action="grid.component_updated", before=before, after=after
    )


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
        actor=actor or SYSTEM,
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
    return _apply_change(
        current, data, actor=actor, action="grid.place_updated", before=before, after=after
    )


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
        actor=actor or SYSTEM,
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
    return _apply_change(
        current, data, actor=actor, action="grid.device_updated", before=before, after=after
    )
