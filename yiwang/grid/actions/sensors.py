"""Sensor alerts (webhook, MQTT): checked, stored, and filed as a city case (source: sensor),
or taken by another app's router; a repeated alert joins what is still open.

Another app decides for itself which alerts it takes: it registers a router
(``register_alert_router``, from its ``AppConfig.ready()``), so the grid app never imports
it. The hotline's router files the types named in ``YIWANG_SENSOR_TICKETS`` as 12345
tickets. A router that fails leaves the alert to the city-case path."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SystemActor
from yiwang.orgs.scope import county_region

from .. import geo, rules
from ..models import (
    OPEN_STATUSES,
    AlertChannel,
    CityEvent,
    Grid,
    Kind,
    SensorAlert,
    SensorDevice,
    SensorType,
    Source,
)
from ._common import _create_event, _log
from .grids import locate
from .registry import DEVICE_ID_RE

log = logging.getLogger(__name__)

SENSOR_ACTOR = SystemActor("sensor")

# How a sensor's alert is filed: (kind, class, GB/T 30428 subclass code, note). Where the
# code lists have no subclass for what the sensor saw, the note says it.
SENSOR_CLASSIFICATION = {
    SensorType.WATERLOGGING: (Kind.EVENT, "emergency", "0406", ""),  # 道路积水
    SensorType.MANHOLE: (Kind.COMPONENT, "public_facility", "", "井盖位移"),
    SensorType.SMOKE: (Kind.EVENT, "emergency", "", "火情烟感"),
    SensorType.NOISE: (Kind.EVENT, "street_order", "", "噪声扰民"),
}


# --- routing to other apps ------------------------------------------------------------------


@dataclass(frozen=True)
class AlertContext:
    """What a router needs besides the alert: where it happened and the text it starts with."""

    device: SensorDevice
    grid: Grid | None  # the grid containing the alert's location, if any
    description: str
    lat: float
    lng: float


#: ``router(alert, context) -> bool``: True when the router took the alert. It links the alert
#: (``alert.ticket``, ``alert.duplicate``) and does not save it: the grid app does, with the
#: audit entry. Raising ``ValidationError`` means it cannot take the alert after all.
AlertRouter = Callable[[SensorAlert, AlertContext], bool]

#: The routers of the installed apps, asked in order; the first to return True takes the alert.
ALERT_ROUTERS: list[AlertRouter] = []


def register_alert_router(router: AlertRouter) -> None:
    """Let another app take accepted alerts; call it from its ``AppConfig.ready()``."""
    if router not in ALERT_ROUTERS:
        ALERT_ROUTERS.append(router)


def _route(alert: SensorAlert, context: AlertContext) -> bool:
    """Offer the alert to the routers; False when none took it (it becomes a city case)."""
    for router in ALERT_ROUTERS:
        try:
            with transaction.atomic():  # a failing router leaves nothing behind
                if router(alert, context):
                    return True
        except ValidationError as exc:
            # A wrong route (say, a category since removed) must not lose the alert: it
            # becomes a city case and the log says why.
            alert.ticket, alert.duplicate = None, False
            log.error(
                "%s alert not taken by %s (%s); it becomes a city case",
                alert.sensor_type,
                getattr(router, "__qualname__", router),
                exc.messages,
            )
    return False


# --- intake -----------------------------------------------------------------------------------


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
    """Turn a sensor alert into a case (source: sensor), unless a registered router takes it
    (the hotline: a 12345 ticket for the types in ``YIWANG_SENSOR_TICKETS``); a repeated alert
    from the same device and type joins the case still open. Malformed payloads are stored as
    rejected alerts with the reason."""
    with translation.override(settings.LANGUAGE_CODE):
        data, errors, device = _clean_alert(payload)
        if errors:
            return _reject(payload, errors, channel, device)
        if device is None:
            device = _auto_register(data)
        alert, context = _accept(payload, data, device, channel)
        if not _route(alert, context):
            _alert_to_event(alert, context)
        alert.save()
        record(
            actor=SENSOR_ACTOR,
            action="grid.sensor_alert",
            obj=alert,
            after={
                "channel": channel,
                "device": device.device_id,
                "type": alert.sensor_type,
                "event": alert.event.number if alert.event else None,
                "ticket": alert.ticket.number if alert.ticket else None,
                "duplicate": alert.duplicate,
            },
        )
        return alert


def _accept(
    payload, data: dict, device: SensorDevice, channel: str
) -> tuple[SensorAlert, AlertContext]:
    """The accepted alert (not saved yet) and where it happened: the location sent, else the
    device's."""
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
    description = _(
        "%(type)s alert: device %(device)s measured %(value)s, threshold %(threshold)s."
    ) % {
        "type": SensorType(data["type"]).label,
        "device": device.device_id,
        "value": data["value"],
        "threshold": data["threshold"],
    }
    grid = device.grid if "lat" not in data else locate(lat, lng)
    return alert, AlertContext(device, grid, description, lat, lng)


def _alert_to_event(alert: SensorAlert, context: AlertContext) -> None:
    device, grid = context.device, context.grid
    key = f"{device.device_id}:{alert.sensor_type}"
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
            % {"value": alert.value, "threshold": alert.threshold},
        )
        return
    kind, category, code, note = SENSOR_CLASSIFICATION[SensorType(alert.sensor_type)]
    alert.event = _create_event(
        actor=SENSOR_ACTOR,
        source=Source.SENSOR,
        kind=kind,
        category=category,
        # A code missing from the lists (taken out by the county) leaves the note only.
        subclass=rules.find_subclass(code, kind),
        subclass_note=note,
        description=context.description,
        lat=context.lat,
        lng=context.lng,
        address=device.address or device.name,
        grid=grid,
        region=grid.village if grid is not None else county_region(),
        component=None,
        sensor_key=key,
    )


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
