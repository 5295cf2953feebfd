"""Every state change of a 12345 ticket. Views, APIs, commands and tasks call these.

Each action validates, checks permission, writes the ticket and its timeline, appends the
audit entry in the same transaction, and notifies on commit. Workflow steps go through the
one helper ``_common.transition`` (lock, permission, state machine, snapshot, timeline step,
audit entry); the allowed steps are in ``rules.py``.

One module per concern; every public name is importable from ``yiwang.hotline.actions``:

- ``intake``: ``register_ticket`` from any channel;
- ``channels``: ``report_grid_request`` (grid workers), ``route_sensor_alert`` (sensors);
- ``duplicates``: ``find_duplicates``, ``merge``;
- ``dispatching``: ``suggest_dispatch``, ``dispatch``, ``redispatch``, ``reject_return``;
- ``handling``: ``sign_for``, ``reply``, ``return_ticket`` (the lead department);
- ``extensions``: ``request_extension``, ``decide_extension``;
- ``review``: ``close``, ``send_back`` (the dispatcher's review of a reply);
- ``callbacks``: ``record_callback`` (回访, and the reopen it may cause);
- ``caller_phone``: the purpose-bound reveal of the caller's number;
- ``supervision``: ``supervise_overdue`` (督办 and escalation, run by the worker);
- ``access``: ``visible_tickets``, ``is_handler_of`` and the role checks;
- ``deadlines``: ``time_limit``, ``start_clock``, ``refresh_deadline``.

Roles (``yiwang.orgs.Role``): agents and dispatchers act within their post's region subtree
(their department, 数据局 or none, does not limit them); handlers act on tickets whose lead
department is theirs, within their region.
"""

from ._common import HANDLER_ACTIONS, MAX_PHOTOS, MAX_REASON_CHARS
from .access import is_handler_of, visible_tickets
from .callbacks import record_callback
from .caller_phone import (
    AGENT_REVEAL_PURPOSES,
    HANDLER_REVEAL_PURPOSES,
    REVEAL_DAYS_AFTER_CLOSE,
    caller_reveal_purposes,
    may_reveal_caller,
    reveal_caller_phone,
)
from .channels import report_grid_request, route_sensor_alert
from .deadlines import refresh_deadline, start_clock, time_limit
from .dispatching import dispatch, redispatch, reject_return, suggest_dispatch
from .duplicates import (
    DUPLICATE_CANDIDATES,
    DUPLICATE_MAX_METRES,
    DUPLICATE_MIN_SIMILARITY,
    distance_m,
    find_duplicates,
    jaccard,
    merge,
    tokens_of,
)
from .extensions import MAX_EXTENSION_DAYS, decide_extension, request_extension
from .handling import reply, return_ticket, sign_for
from .intake import (
    PHONE_INDEX_PURPOSE,
    STAFF_INTAKE_ROLES,
    SYSTEM_CHANNELS,
    Registered,
    register_ticket,
)
from .review import close, send_back
from .supervision import ESCALATE_AFTER_WORKDAYS, supervise_overdue

__all__ = [
    "AGENT_REVEAL_PURPOSES",
    "DUPLICATE_CANDIDATES",
    "DUPLICATE_MAX_METRES",
    "DUPLICATE_MIN_SIMILARITY",
    "ESCALATE_AFTER_WORKDAYS",
    "HANDLER_ACTIONS",
    "HANDLER_REVEAL_PURPOSES",
    "MAX_EXTENSION_DAYS",
    "MAX_PHOTOS",
    "MAX_REASON_CHARS",
    "PHONE_INDEX_PURPOSE",
    "REVEAL_DAYS_AFTER_CLOSE",
    "STAFF_INTAKE_ROLES",
    "SYSTEM_CHANNELS",
    "Registered",
    "caller_reveal_purposes",
    "close",
    "decide_extension",
    "dispatch",
    "distance_m",
    "find_duplicates",
    "is_handler_of",
    "jaccard",
    "may_reveal_caller",
    "merge",
    "record_callback",
    "redispatch",
    "refresh_deadline",
    "register_ticket",
    "reject_return",
    "reply",
    "report_grid_request",
    "request_extension",
    "return_ticket",
    "reveal_caller_phone",
    "route_sensor_alert",
    "send_back",
    "sign_for",
    "start_clock",
    "suggest_dispatch",
    "supervise_overdue",
    "time_limit",
    "tokens_of",
    "visible_tickets",
]
