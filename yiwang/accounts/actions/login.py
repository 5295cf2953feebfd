"""Password logins, lockout after repeated failures, logouts and unlocking."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM, is_system

from ..models import User
from ._common import ANONYMOUS, _is_staff_admin, _is_user


def lock_message(user: User) -> str:
    """The lockout answer for ``user``; callers check ``queries.is_locked`` first."""
    if user.locked_until is None:
        raise ValueError("lock_message() is only for a locked account")
    return lock_message_until(user.locked_until)


def lock_message_until(locked_until: datetime.datetime) -> str:
    """The lockout answer; also given for unknown names, so it tells nobody who is registered."""
    until = timezone.localtime(locked_until)
    return _(
        "This account is locked after too many failed logins. Try again after %(time)s, or ask "
        "an administrator to unlock it."
    ) % {"time": date_format(until, "Y-m-d H:i")}


@transaction.atomic
def register_failed_login(user: User) -> User:
    """Count a wrong password; lock the account after ``YIWANG_LOGIN_MAX_FAILURES`` in a row.

    Returns the refreshed user (``locked_until`` set when this failure locked it).
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    if locked.locked_until and locked.locked_until > now:
        return locked
    failures = locked.failed_logins + 1
    record(
        actor=ANONYMOUS,
        action="accounts.login_failed",
        obj=locked,
        after={"failed_logins": failures},
    )
    if failures >= settings.YIWANG_LOGIN_MAX_FAILURES:
        locked.locked_until = now + datetime.timedelta(minutes=settings.YIWANG_LOGIN_LOCK_MINUTES)
        locked.failed_logins = 0
        record(
            actor=ANONYMOUS,
            action="accounts.locked",
            obj=locked,
            after={"locked_until": locked.locked_until.isoformat(), "failures": failures},
        )
    else:
        locked.failed_logins = failures
    locked.save(update_fields=["failed_logins", "locked_until"])
    user.failed_logins, user.locked_until = locked.failed_logins, locked.locked_until
    return locked


@transaction.atomic
def register_successful_login(
    user: User, *, method: str = "password", second_factor: str = ""
) -> None:
    """Reset the failure counter and audit the login.

    ``method``: password, sms or registration; ``second_factor``: totp, recovery, sms or
    empty when none was asked for (see ``mfa``).
    """
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    user.failed_logins, user.locked_until = 0, None
    after = {"method": method}
    if second_factor:
        after["second_factor"] = second_factor
    record(actor=user, action="accounts.login", obj=user, after=after)


@transaction.atomic
def register_logout(user: User) -> None:
    if _is_user(user):
        record(actor=user, action="accounts.logout", obj=user)


@transaction.atomic
def unlock_account(*, actor, user: User) -> None:
    """Lift a lockout before it ends (administrators)."""
    if not (is_system(actor) or _is_staff_admin(actor)):
        raise PermissionDenied(_("Only an administrator can unlock accounts."))
    before = {"locked_until": user.locked_until.isoformat() if user.locked_until else None}
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    user.failed_logins, user.locked_until = 0, None
    record(actor=actor or SYSTEM, action="accounts.unlocked", obj=user, before=before)
