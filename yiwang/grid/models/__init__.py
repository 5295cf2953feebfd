"""Grid governance (网格化管理) and city-management cases (数字化城管, GB/T 30428).

One module per concern: ``code_lists`` (classes and subclasses), ``registry`` (grids, their
workers, components, places), ``events`` (cases, photos, timeline), ``sensors`` (devices and
alerts). Import the names from this package."""

from .code_lists import (
    CaseClass,
    CaseSubclass,
    CodeList,
    ComponentClass,
    EventClass,
    Kind,
    code_list,
    subclass_key,
    subclass_label,
)
from .events import (
    OPEN_STATUSES,
    CityEvent,
    DeadlineStatus,
    EventLog,
    EventPhoto,
    EventStatus,
    PhotoPhase,
    Source,
)
from .registry import (
    GRID_INDEX_CACHE_KEY,
    Component,
    ComponentStatus,
    Grid,
    GridAssignment,
    Place,
    PlaceKind,
)
from .sensors import AlertChannel, SensorAlert, SensorDevice, SensorType

__all__ = [
    "GRID_INDEX_CACHE_KEY",
    "OPEN_STATUSES",
    "AlertChannel",
    "CaseClass",
    "CaseSubclass",
    "CityEvent",
    "CodeList",
    "Component",
    "ComponentClass",
    "ComponentStatus",
    "DeadlineStatus",
    "EventClass",
    "EventLog",
    "EventPhoto",
    "EventStatus",
    "Grid",
    "GridAssignment",
    "Kind",
    "PhotoPhase",
    "Place",
    "PlaceKind",
    "SensorAlert",
    "SensorDevice",
    "SensorType",
    "Source",
    "code_list",
    "subclass_key",
    "subclass_label",
]
