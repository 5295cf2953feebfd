"""12345 hotline: categories, tickets (工单), the dispatch catalogue, time limits.

One module per aggregate; every name is importable from ``yiwang.hotline.models`` (Django
finds the models through this package, other apps import them from here):

- ``choices``: channels, ticket types, statuses, satisfaction, timeline steps;
- ``categories``: the classification tree and its per-process copy (``category_tree``);
- ``tickets``: ``Ticket``, ``TicketPhoto``, ``TicketEvent`` (the timeline);
- ``records``: ``CallBack`` (回访记录), ``ExtensionRequest`` (延期申请);
- ``catalogue``: ``DispatchRule`` (派单目录), ``TimeLimit`` and their defaults;
- ``places``: the county's towns and villages for intake (``intake_regions``).

The workflow state lives on the ticket row and is written synchronously by
``yiwang.hotline.actions``; the allowed transitions are in ``rules.py``.
"""

from .catalogue import DEFAULT_TIME_LIMITS, DispatchRule, TimeLimit
from .categories import CATEGORY_CACHE_KEY, Category, CategoryTree, category_tree
from .choices import (
    CONTENT_MAX_CHARS,
    COUNTY_CODE,
    OPEN_STATUSES,
    RUNNING_STATUSES,
    UNSIGNED_STATUSES,
    CallBackResult,
    Channel,
    EventAction,
    PhotoStage,
    Satisfaction,
    Status,
    TicketType,
)
from .places import IntakeRegions, intake_regions
from .records import CallBack, ExtensionRequest
from .tickets import Ticket, TicketEvent, TicketPhoto

__all__ = [
    "CATEGORY_CACHE_KEY",
    "CONTENT_MAX_CHARS",
    "COUNTY_CODE",
    "DEFAULT_TIME_LIMITS",
    "OPEN_STATUSES",
    "RUNNING_STATUSES",
    "UNSIGNED_STATUSES",
    "CallBack",
    "CallBackResult",
    "Category",
    "CategoryTree",
    "Channel",
    "DispatchRule",
    "EventAction",
    "ExtensionRequest",
    "IntakeRegions",
    "PhotoStage",
    "Satisfaction",
    "Status",
    "Ticket",
    "TicketEvent",
    "TicketPhoto",
    "TicketType",
    "TimeLimit",
    "category_tree",
    "intake_regions",
]
