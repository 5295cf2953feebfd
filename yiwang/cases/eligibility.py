"""Whether an item can be applied for here and now, before any form is filled in.

These refusals do not depend on anything the applicant types: the item is closed or has no
process, it is handled at a window only, it is for enterprises and the user acts for none, or
(window intake) the hall does not handle it. The apply and intake pages check them before
showing the form, so nobody fills in a form and uploads files only to be told they could never
have applied; the actions check them again on submission (one function per rule, here).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yiwang.catalog.models import (
    Audience,
    ItemStatus,
    OnlineDepth,
    ProcessDefinition,
    ServiceItem,
)
from yiwang.orgs.models import Hall


def check_open(item: ServiceItem) -> ProcessDefinition:
    """Raise unless the item takes applications now; return its active process."""
    if item.status != ItemStatus.PUBLISHED:
        raise ValidationError(
            _("“%(name)s” is not open for applications.") % {"name": item.name}, code="item_closed"
        )
    process = item.active_process()
    if process is None:
        raise ValidationError(
            _("“%(name)s” has no approval process configured yet.") % {"name": item.name},
            code="no_process",
        )
    return process


def check_online(item: ServiceItem, *, enterprise=None) -> ProcessDefinition:
    """Raise unless the logged-in applicant (acting for ``enterprise`` or for themselves) may
    apply for ``item`` online; return the item's active process."""
    process = check_open(item)
    if item.online_depth == OnlineDepth.WINDOW:
        raise ValidationError(
            _("“%(name)s” can only be applied for at a service hall window.") % {"name": item.name},
            code="window_only",
        )
    if item.audience == Audience.ENTERPRISE and enterprise is None:
        raise ValidationError(
            _("Only enterprises can apply for this item. Choose the enterprise you act for first."),
            code="enterprise_only",
        )
    return process


def hall_handles(item: ServiceItem, hall: Hall) -> bool:
    """全县通办 items at every hall; the others at the halls of their own region (and a town
    item at the county's halls above it)."""
    return (
        item.county_wide or hall.region.contains(item.region) or item.region.contains(hall.region)
    )


def not_at_hall(item: ServiceItem) -> ValidationError:
    return ValidationError(
        _(
            "“%(item)s” is not handled county-wide; it can only be registered at a hall of "
            "%(region)s."
        )
        % {"item": item.name, "region": item.region.name},
        code="not_at_this_hall",
    )


def check_intake(item: ServiceItem, halls: Iterable[Hall]) -> tuple[ProcessDefinition, list[Hall]]:
    """Raise unless window staff at one of ``halls`` may register ``item`` for a walk-in;
    return the item's active process and the halls that handle it (the ones the form offers)."""
    process = check_open(item)
    if item.audience == Audience.ENTERPRISE:
        raise ValidationError(
            _(
                "“%(name)s” is for legal persons; register it with the enterprise's agent in the "
                "enterprise service."
            )
            % {"name": item.name},
            code="enterprise_only",
        )
    usable = [hall for hall in halls if hall_handles(item, hall)]
    if not usable:
        raise not_at_hall(item)
    return process, usable
