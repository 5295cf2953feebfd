"""Annotated copies of a licence (加注件): the holder shares a copy that states what it may
be used for and until when; anyone holding its link can open it until then, unless the
holder withdraws it first. The link's token is the only key, so it is long and random, and
it is kept out of the audit log.

``share_copy`` and ``withdraw_copy`` are the holder's (audited as ``licences.<verb>``);
``open_copy`` is the public page's, and says why a copy no longer opens.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record

from .models import AnnotatedCopy, Licence, Status
from .use import holds, purpose_of, today

COPY_HOURS_MAX = 720  # 30 days: a copy is for one errand, not a standing licence
TOKEN_MAX = 64  # AnnotatedCopy.token
#: What secrets.token_urlsafe gives (URL-safe base64), up to the column's length.
TOKEN_RE = re.compile(rf"[A-Za-z0-9_-]{{1,{TOKEN_MAX}}}")


def share_copy(*, actor, licence: Licence, purpose: str, hours) -> AnnotatedCopy:
    """A copy of the holder's valid licence that states ``purpose`` and opens for ``hours``."""
    if not holds(actor, licence):
        raise PermissionDenied(_("Only the holder can share their licence."))
    errors: dict[str, ValidationError] = {}
    purpose = purpose_of(purpose, errors)
    try:
        hours = int(hours)
    except (TypeError, ValueError):
        hours = 0
    if not 1 <= hours <= COPY_HOURS_MAX:
        errors["hours"] = ValidationError(
            _("A copy opens for 1 to %(max)d hours.") % {"max": COPY_HOURS_MAX},
            code="hours_out_of_range",
        )
    # The status as stored now: the caller's row may predate a suspension.
    current = Licence.objects.only("status", "valid_until").get(pk=licence.pk)
    expired = current.valid_until is not None and current.valid_until < today()
    if current.status != Status.VALID or expired:
        errors["__all__"] = ValidationError(
            _("Only a valid licence can be shared."), code="licence_not_valid"
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        copy = AnnotatedCopy.objects.create(
            licence=licence,
            token=secrets.token_urlsafe(32),
            purpose=purpose,
            expires_at=timezone.now() + dt.timedelta(hours=hours),
            created_by=actor,
        )
        # Not the token: it opens the copy, and the audit log is read by more people.
        record(
            actor=actor,
            action="licences.share_copy",
            obj=licence,
            after={"copy": copy.pk, "purpose": purpose, "expires_at": copy.expires_at},
        )
    return copy


def withdraw_copy(*, actor, copy: AnnotatedCopy) -> AnnotatedCopy:
    """The holder stops a shared copy from opening."""
    if not holds(actor, copy.licence):
        raise PermissionDenied(_("Only the holder can withdraw their shared copy."))
    with transaction.atomic():
        copy = AnnotatedCopy.objects.select_for_update().get(pk=copy.pk)
        if copy.revoked_at is not None:
            raise ValidationError(_("This copy is already withdrawn."), code="already_withdrawn")
        copy.revoked_at = timezone.now()
        copy.save(update_fields=["revoked_at"])
        record(
            actor=actor, action="licences.withdraw_copy", obj=copy.licence, after={"copy": copy.pk}
        )
    return copy


class CopyUnavailable(LookupError):
    """The copy does not open; ``status`` is the HTTP answer, ``str()`` says why."""

    status = 404


class UnknownCopy(CopyUnavailable):
    def __init__(self):
        super().__init__(_("No shared copy has this link. Check that the link is complete."))


class WithdrawnCopy(CopyUnavailable):
    status = 410

    def __init__(self):
        super().__init__(_("The holder has withdrawn this copy; ask them for a new one."))


class ExpiredCopy(CopyUnavailable):
    status = 410

    def __init__(self, at):
        super().__init__(
            _("This copy was valid until %(time)s and has expired; ask the holder for a new one.")
            % {"time": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")}
        )


def open_copy(token: str) -> AnnotatedCopy:
    """The copy a link names, if it still opens; else UnknownCopy, WithdrawnCopy or
    ExpiredCopy."""
    token = (token or "").strip()
    copy = None
    if TOKEN_RE.fullmatch(token):  # anything else was never issued; not worth a query
        copy = (
            AnnotatedCopy.objects.select_related("licence__licence_type", "licence__issuer")
            .filter(token=token)
            .first()
        )
    if copy is None:
        raise UnknownCopy()
    if copy.revoked_at is not None:
        raise WithdrawnCopy()
    if copy.expires_at <= timezone.now():
        raise ExpiredCopy(copy.expires_at)
    return copy
