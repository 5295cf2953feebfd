"""Revealing a person's own personal data (full ID number, phone) to them, audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.audit.actions import record

from ..models import User
from ._common import _is_user

PERSONAL_FIELDS = ("id_number", "phone")


@transaction.atomic
def reveal_personal_data(*, actor, subject: User, field: str) -> str:
    """Return the plaintext ``id_number`` or ``phone`` of ``subject`` to the subject themself;
    audited.

    Nobody else, staff included, reveals a person's data by account: staff see it only
    through an object they work on (a case, a ticket), with a purpose and a reason, counted
    against their limit (``yiwang.privacy.actions.record_disclosure``).
    """
    if field not in PERSONAL_FIELDS:
        raise ValidationError(
            _("“%(field)s” cannot be revealed; only id_number and phone can."),
            code="invalid_field",
            params={"field": field},
        )
    if not _is_user(actor):
        raise PermissionDenied(_("Log in to see personal data."))
    if actor.pk != subject.pk:
        raise PermissionDenied(_("You may only see your own full ID number and phone number."))
    record(actor=actor, action="personal_data.reveal", obj=subject, field=field, subject=subject.pk)
    return getattr(subject, field) or ""
