"""Shared rules of the configuration actions: who may configure, and the input helpers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from yiwang.audit.actors import is_system
from yiwang.orgs.models import Role
from yiwang.orgs.scope import posts_of

from ..models import COUNTY_CODE

CONFIG_ROLES = (Role.AUTHORITY, Role.DISPATCHER)


def can_configure(user) -> bool:
    """Whether ``user`` may change categories, the dispatch catalogue and time limits.

    No query beyond the user's posts (cached per request), so list pages can ask it.
    """
    if is_system(user):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(p.region.code == COUNTY_CODE for p in posts_of(user, CONFIG_ROLES))


def ensure_can_configure(actor) -> None:
    if can_configure(actor):
        return
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Please log in with a staff account."))
    raise PermissionDenied(
        _(
            "Only the data authority or a county-level 12345 dispatcher can change the "
            "hotline's categories, dispatch catalogue and time limits; none of your posts "
            "is one of these."
        )
    )


def clean_line(value, field: str, label: str, max_chars: int, errors: dict, required=False) -> str:
    """``value`` on one line with single spaces; a required or too-long error in ``errors``."""
    value = " ".join(str(value or "").split())
    if required and not value:
        errors.setdefault(field, []).append(_("Enter the %(label)s.") % {"label": label})
    elif len(value) > max_chars:
        errors.setdefault(field, []).append(
            _("The %(label)s is %(length)d characters long; at most %(max)d are allowed.")
            % {"label": label, "length": len(value), "max": max_chars}
        )
    return value


def whole_number(value) -> int | None:
    """``value`` as an int (a form's string or a number), or None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def raise_errors(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)
