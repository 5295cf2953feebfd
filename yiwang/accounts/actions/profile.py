"""A person's own settings: the elder-friendly display (适老化) and their password."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.audit.actions import record

from ..models import User
from ._common import _clean_password, _errors, _is_user


@transaction.atomic
def set_elder_mode(*, actor, enabled: bool) -> None:
    if not _is_user(actor):
        raise PermissionDenied(_("Log in first."))
    enabled = bool(enabled)
    if actor.elder_mode == enabled:
        return
    before = {"elder_mode": actor.elder_mode}
    User.objects.filter(pk=actor.pk).update(elder_mode=enabled)
    actor.elder_mode = enabled
    record(
        actor=actor,
        action="accounts.elder_mode",
        obj=actor,
        before=before,
        after={"elder_mode": enabled},
    )


@transaction.atomic
def change_password(*, actor, old: str, new: str) -> None:
    """Change the actor's own password. The view must call ``update_session_auth_hash``."""
    if not _is_user(actor):
        raise PermissionDenied(_("Log in first."))
    errors: dict[str, list] = {}
    if not actor.check_password(old or ""):
        errors["old"] = [
            ValidationError(
                _("The current password is wrong. Enter the password you use to log in now."),
                code="wrong_password",
            )
        ]
    if new and old and new == old:
        errors["new"] = [
            ValidationError(
                _("The new password must be different from the current one."), code="same_password"
            )
        ]
    else:
        _clean_password(new, actor, errors, field="new")
    _errors(errors)
    actor.set_password(new)
    actor.save(update_fields=["password"])
    record(actor=actor, action="accounts.password_changed", obj=actor)
