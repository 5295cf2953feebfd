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
* leaders may evaluate; the platform itself (a ``SystemActor``: loaders, sensors) may report
  and manage the registry.

One module per concern: ``grids`` (grids, locating a point, worker assignments),
``registry`` (components, places, sensor devices), ``code_lists`` (GB/T 30428 subclasses),
``events`` (the seven steps of a case), ``sensors`` (alert intake and the routers other apps
register); ``_common`` holds their shared helpers. Import the names from this package.
"""

from ._common import MAX_PHOTOS, MAX_TEXT, may_manage_registry
from .code_lists import SUBCLASS_CODE_RE, create_subclass, ensure_code_lists, update_subclass
from .events import (
    cancel_event,
    close_event,
    dispatch_event,
    evaluate_event,
    file_event,
    handle_event,
    report_event,
    sweep_deadlines,
    verify_event,
)
from .grids import (
    assign_worker,
    create_grid,
    grid_index,
    grid_worker_candidates,
    is_worker_of,
    locate,
    unassign_worker,
    update_grid,
)
from .registry import (
    COMPONENT_FIELDS,
    DEVICE_FIELDS,
    DEVICE_ID_RE,
    PLACE_FIELDS,
    create_component,
    create_place,
    register_device,
    update_component,
    update_device,
    update_place,
)
from .sensors import (
    ALERT_ROUTERS,
    SENSOR_ACTOR,
    SENSOR_CLASSIFICATION,
    AlertContext,
    AlertRouter,
    ingest_raw,
    ingest_sensor_alert,
    register_alert_router,
)

__all__ = [
    "ALERT_ROUTERS",
    "COMPONENT_FIELDS",
    "DEVICE_FIELDS",
    "DEVICE_ID_RE",
    "MAX_PHOTOS",
    "MAX_TEXT",
    "PLACE_FIELDS",
    "SENSOR_ACTOR",
    "SENSOR_CLASSIFICATION",
    "SUBCLASS_CODE_RE",
    "AlertContext",
    "AlertRouter",
    "assign_worker",
    "cancel_event",
    "close_event",
    "create_component",
    "create_grid",
    "create_place",
    "create_subclass",
    "dispatch_event",
    "ensure_code_lists",
    "evaluate_event",
    "file_event",
    "grid_index",
    "grid_worker_candidates",
    "handle_event",
    "ingest_raw",
    "ingest_sensor_alert",
    "is_worker_of",
    "locate",
    "may_manage_registry",
    "register_alert_router",
    "register_device",
    "report_event",
    "sweep_deadlines",
    "unassign_worker",
    "update_component",
    "update_device",
    "update_grid",
    "update_place",
    "update_subclass",
    "verify_event",
]
