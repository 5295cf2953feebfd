"""The grid's two ways into 12345: residents' requests a grid worker meets on patrol
(``report_grid_request``, channel: grid) and the sensor alerts the hotline takes
(``route_sensor_alert``, channel: sensor).

The grid app does not know the hotline: ``HotlineConfig.ready()`` registers
``route_sensor_alert`` as one of the grid's alert routers, and the grid worker's request
page is a hotline page (``yiwang/hotline/grid_views.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from yiwang.audit.actors import is_system
from yiwang.grid import actions as grid_actions
from yiwang.grid.models import Grid, SensorAlert

from ..models import OPEN_STATUSES, Channel, Ticket
from .intake import Registered, register_ticket


def report_grid_request(
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
    photos: Sequence = (),
) -> Registered:
    """A resident's request met on patrol (咨询, 求助, 投诉, 举报, 建议) becomes a 12345 ticket of
    the grid channel, dispatched and called back like any other ticket. City-management
    problems the worker sees for themself stay city cases (``grid.actions.report_event``)."""
    if grid is None:
        raise ValidationError({"grid": [_("Choose the grid where the resident lives or asked.")]})
    if not (is_system(actor) or grid_actions.is_worker_of(actor, grid)):
        raise PermissionDenied(
            _("You can pass on requests only from your own grids; %(grid)s is not one of them.")
            % {"grid": grid.name}
        )
    return register_ticket(
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


def route_sensor_alert(alert: SensorAlert, context: grid_actions.AlertContext) -> bool:
    """The grid's alert router for 12345: the sensor types named in ``YIWANG_SENSOR_TICKETS``
    (type → ``{"category": <leaf code>, "type": <ticket type>}``) become anonymous tickets of
    the sensor channel; a repeated alert from the same device and type joins the ticket still
    open. Other types are left to the grid (False).

    Registers the ticket in the grid's transaction (a savepoint); a ``ValidationError`` (a
    route naming a category since removed) hands the alert back to the grid as a city case."""
    route = settings.YIWANG_SENSOR_TICKETS.get(alert.sensor_type)
    if not route:
        return False
    device, grid = context.device, context.grid
    source_ref = f"sensor:{device.pk}:{alert.sensor_type}"
    open_ticket = (
        Ticket.objects.filter(
            channel=Channel.SENSOR, source_ref=source_ref, status__in=OPEN_STATUSES
        )
        .order_by("-id")
        .first()
    )
    if open_ticket is not None:
        alert.ticket, alert.duplicate = open_ticket, True
        return True
    alert.ticket = register_ticket(
        actor=grid_actions.SENSOR_ACTOR,
        channel=Channel.SENSOR,
        type=route["type"],
        category=route["category"],
        content=context.description,
        anonymous=True,
        address=device.address or device.name,
        lat=context.lat,
        lng=context.lng,
        region=grid.village if grid is not None else None,
        source_ref=source_ref,
    ).ticket
    return True
