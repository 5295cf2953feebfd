"""Demo grids, components, places, sensors and city-management cases (``data/grid.json``),
loaded through ``grid.actions`` (idempotent).

Called by the demo loader as ``load_grid(actor)`` after regions, departments and people
exist; with the hotline demo loaded, a grid worker's request and a sensor alert also reach
12345 as tickets.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from yiwang.grid import actions
from yiwang.grid.models import CityEvent, Component, Grid, Place, SensorDevice, Source
from yiwang.hotline import actions as hotline_actions
from yiwang.hotline.models import Category, Channel, Ticket
from yiwang.regions.models import Region

from .datafiles import read
from .orgs import departments_by_key
from .people import ensure_domain_staff

_DATA = read("grid")
TEXTS: dict[str, Any] = _DATA["texts"]


def _png(name: str) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (120, 140, 160)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def _square(lat: float, lng: float, half: float) -> dict:
    """A GeoJSON polygon: the square of side 2 × ``half`` degrees centred on the point."""
    ring = [
        [round(lng - half, 6), round(lat - half, 6)],
        [round(lng + half, 6), round(lat - half, 6)],
        [round(lng + half, 6), round(lat + half, 6)],
        [round(lng - half, 6), round(lat + half, 6)],
        [round(lng - half, 6), round(lat - half, 6)],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


#: grid code → (lat, lng) of its centre.
CENTRES: dict[str, tuple[float, float]] = {g["code"]: (g["lat"], g["lng"]) for g in _DATA["grids"]}


# --- the registry ---------------------------------------------------------------------------


def _grids(actor, regions, created) -> dict[str, Grid]:
    grids = {g.code: g for g in Grid.objects.all()}
    for spec in _DATA["grids"]:
        if spec["code"] not in grids:
            grids[spec["code"]] = actions.create_grid(
                actor=actor,
                code=spec["code"],
                name=spec["name"],
                village=regions[spec["village"]],
                polygon=_square(spec["lat"], spec["lng"], _DATA["half_side"]),
            )
            created["grids"] += 1
    return grids


def _components(actor, grids, departments, created) -> None:
    # By name too: the identification codes of an older demo embedded other subclass codes.
    existing = set(Component.objects.values_list("code", flat=True))
    existing |= set(Component.objects.values_list("name", flat=True))
    survey = _DATA["component_survey"]
    for spec in _DATA["components"]:
        if spec["code"] in existing or spec["name"] in existing:
            continue
        lat, lng = CENTRES[spec["grid"]]
        actions.create_component(
            actor=actor,
            code=spec["code"],
            name=spec["name"],
            component_class=spec["class"],
            subclass=spec["subclass"],
            grid=grids[spec["grid"]],
            competent_department=departments[spec["department"]],
            maintenance_department=departments[spec["department"]],
            lat=round(lat + spec["dlat"], 6),
            lng=round(lng + spec["dlng"], 6),
            initial_date=date.fromisoformat(survey["initial_date"]),
            data_source=survey["data_source"],
        )
        created["components"] += 1


def _places(actor, grids, created) -> None:
    existing = set(Place.objects.values_list("name", flat=True))
    for spec in _DATA["places"]:
        if spec["name"] not in existing:
            lat, lng = CENTRES[spec["grid"]]
            actions.create_place(
                actor=actor,
                name=spec["name"],
                kind=spec["kind"],
                grid=grids[spec["grid"]],
                address=spec["address"],
                lat=lat,
                lng=lng,
            )
            created["places"] += 1


def _devices(actor, created) -> None:
    existing = set(SensorDevice.objects.values_list("device_id", flat=True))
    for spec in _DATA["devices"]:
        if spec["device_id"] not in existing:
            lat, lng = CENTRES[spec["grid"]]
            actions.register_device(
                actor=actor,
                device_id=spec["device_id"],
                sensor_type=spec["sensor_type"],
                lat=round(lat + 0.001, 6),
                lng=round(lng - 0.001, 6),
                name=spec["name"],
                address=spec["address"],
            )
            created["devices"] += 1


# --- the cases ------------------------------------------------------------------------------


def _drive(event, target: str, dept, users, departments) -> None:
    """Take a reported case through the GB/T 30428 steps up to ``target``."""
    dispatcher, worker = users["dispatcher_12345"], users["grid_huliao"]
    handler = users["handler_huliao"] if dept == departments["huliao"] else users["handler_zjj"]
    if target == "collected":
        return
    if target == "cancelled":
        actions.cancel_event(actor=dispatcher, event=event, reason=TEXTS["cancel_reason"])
        return
    event = actions.file_event(actor=dispatcher, event=event)
    if target == "filed":
        return
    event = actions.dispatch_event(actor=dispatcher, event=event, department=dept)
    if target == "dispatched":
        return
    event = actions.handle_event(
        actor=handler, event=event, reply=TEXTS["handled_reply"], after_photos=[_png("after.png")]
    )
    if target == "handled":
        return
    if target == "reworked":
        actions.verify_event(actor=worker, event=event, passed=False, note=TEXTS["rework_note"])
        return
    event = actions.verify_event(
        actor=worker, event=event, passed=True, note=TEXTS["verified_note"]
    )
    if target == "verified":
        return
    event = actions.close_event(actor=dispatcher, event=event)
    if target == "closed":
        return
    actions.evaluate_event(
        actor=dispatcher,
        event=event,
        score=TEXTS["evaluation_score"],
        note=TEXTS["evaluation_note"],
    )


def _events(grids, users, departments) -> int:
    worker = users["grid_huliao"]
    created = 0
    for i, spec in enumerate(_DATA["events"]):
        lat, lng = CENTRES[spec["grid"]]
        event = actions.report_event(
            actor=worker,
            kind=spec["kind"],
            category=spec["class"],
            subclass=spec["subclass"],
            description=spec["description"],
            # spread the cases of one grid around its centre
            lat=round(lat + 0.0005 * (i % 5 - 2), 6),
            lng=round(lng + 0.0004 * (i % 3 - 1), 6),
            address=spec["address"],
            grid=grids[spec["grid"]],
            photos=[_png("before.png")],
        )
        dept = departments.get(spec["department"] or "huliao")
        _drive(event, spec["state"], dept, users, departments)
        created += 1
    referrals = _DATA["referrals"]
    names = {g["code"]: g["name"] for g in _DATA["grids"]}
    for code in referrals["grids"]:
        lat, lng = CENTRES[code]
        actions.report_event(
            actor=users["dispatcher_12345"],
            source=Source.REFERRAL,
            kind="event",
            category=referrals["class"],
            subclass=referrals["subclass"],
            description=referrals["description"].replace("{grid}", names[code]),
            lat=lat,
            lng=lng,
            grid=grids[code],
        )
        created += 1
    return created


def _hotline_channels(worker, grids) -> int:
    """The grid and sensor channels of 12345, once the hotline's categories are loaded."""
    if not Category.objects.filter(code="010103").exists():
        return 0
    created = 0
    if not Ticket.objects.filter(channel=Channel.GRID).exists():
        for spec in _DATA["resident_requests"]:
            lat, lng = CENTRES[spec["grid"]]
            hotline_actions.report_grid_request(
                actor=worker,
                grid=grids[spec["grid"]],
                type=spec["type"],
                category=spec["category"],
                content=spec["content"],
                lat=lat,
                lng=lng,
                address=spec["address"],
                resident_name=spec["resident_name"],
                resident_phone=spec["resident_phone"],
            )
            created += 1
    if not Ticket.objects.filter(channel=Channel.SENSOR).exists():
        actions.ingest_sensor_alert(dict(_DATA["sensor_alerts"]["ticket"]))
        created += 1
    return created


@transaction.atomic
def load_grid(actor) -> dict[str, int]:
    """Create (or complete) the grid demo. Returns how many objects of each kind were created."""
    created = {"grids": 0, "components": 0, "places": 0, "devices": 0, "events": 0}
    # Migrations load the code lists; a database emptied since (tests) gets them again.
    actions.ensure_code_lists()
    departments = departments_by_key()
    users = ensure_domain_staff(actor, _DATA["staff"])
    villages = {g["village"] for g in _DATA["grids"]}
    regions = {r.code: r for r in Region.objects.filter(code__in=villages)}

    grids = _grids(actor, regions, created)
    worker = users[_DATA["grid_worker"]["username"]]
    for code in _DATA["grid_worker"]["grids"]:
        if code in grids:
            actions.assign_worker(actor=actor, grid=grids[code], user=worker)
    _components(actor, grids, departments, created)
    _places(actor, grids, created)
    _devices(actor, created)

    if not CityEvent.objects.exclude(source=Source.SENSOR).exists():
        created["events"] += _events(grids, users, departments)
    if not CityEvent.objects.filter(source=Source.SENSOR).exists():
        actions.ingest_sensor_alert(dict(_DATA["sensor_alerts"]["event"]))
        created["events"] += 1
    created["tickets"] = _hotline_channels(worker, grids)
    return created
