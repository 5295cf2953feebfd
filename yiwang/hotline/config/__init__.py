"""Audited changes to the hotline's reference data: the category tree, the dispatch
catalogue (派单目录) and the time limits.

Every function here is an action (docs/dev/actions.md): validate → permission → write →
``record()`` in the same transaction. The back-office pages (``config_views``) call them;
the Django admin shows this data read-only.

Who may change it (``can_configure``): superusers, and holders of a data-authority or
dispatcher post whose region is the county itself. A post's department does not matter
(the demo's authority and dispatcher sit in 数据局), so this is a region check, not
``orgs.scope.can_act``. Town dispatchers, handlers, agents and citizens may not.

One module per kind of data; every public name is importable from ``yiwang.hotline.config``:
``categories``, ``dispatch_rules``, ``time_limits``; ``_common`` holds the permission rule.
"""

from ._common import CONFIG_ROLES, can_configure, ensure_can_configure
from .categories import (
    CODE_MAX_CHARS,
    CODE_RE,
    MAX_LEVEL,
    MAX_SORT,
    NAME_MAX_CHARS,
    TEXT_MAX_CHARS,
    category_in_use,
    category_snapshot,
    create_category,
    delete_category,
    update_category,
)
from .dispatch_rules import (
    NOTE_MAX_CHARS,
    PRIORITY_MAX,
    PRIORITY_MIN,
    delete_dispatch_rule,
    rule_snapshot,
    save_dispatch_rule,
)
from .time_limits import (
    MAX_LIMIT_DAYS,
    effective_time_limits,
    limit_field,
    set_time_limit,
    set_time_limits,
    time_limit_errors,
)

__all__ = [
    "CODE_MAX_CHARS",
    "CODE_RE",
    "CONFIG_ROLES",
    "MAX_LEVEL",
    "MAX_LIMIT_DAYS",
    "MAX_SORT",
    "NAME_MAX_CHARS",
    "NOTE_MAX_CHARS",
    "PRIORITY_MAX",
    "PRIORITY_MIN",
    "TEXT_MAX_CHARS",
    "can_configure",
    "category_in_use",
    "category_snapshot",
    "create_category",
    "delete_category",
    "delete_dispatch_rule",
    "effective_time_limits",
    "ensure_can_configure",
    "limit_field",
    "rule_snapshot",
    "save_dispatch_rule",
    "set_time_limit",
    "set_time_limits",
    "time_limit_errors",
    "update_category",
]
