"""Whom a department names as holder when it issues by hand or imports: a resident ID number
or a unified social credit code, checked before anything is signed, and the account or
enterprise record it belongs to, when the platform has one.

A person's account is found through the blind index of its ID number (the number itself is
stored encrypted); an enterprise by its USCC. Neither is required: a licence issued to a
holder who has no account yet is theirs by the holder code, which the wallet also matches.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yiwang.accounts.models import (
    Enterprise,
    normalise_resident_id,
    normalise_uscc,
    validate_enterprise_uscc,
    validate_resident_id,
)
from yiwang.accounts.queries import user_by_id_number

from .actions import Holder
from .metadata import HOLDER_RESIDENT_ID, HOLDER_USCC, holder_code_valid
from .models import HolderKind


def clean_holder_code(kind: str, value: str) -> str:
    """The holder code normalised (ASCII, no spaces, capitals); ``ValidationError`` saying
    what is wrong when it is not a valid ID number (person) or USCC (enterprise)."""
    raw = str(value or "").strip()
    if not raw:
        raise ValidationError(
            _("Enter the resident ID number.")
            if kind == HolderKind.PERSON
            else _("Enter the unified social credit code."),
            code="holder_code_required",
        )
    if kind == HolderKind.PERSON:
        code, code_type = normalise_resident_id(raw), HOLDER_RESIDENT_ID
        validate_resident_id(code)  # says which part is wrong
    else:
        code, code_type = normalise_uscc(raw), HOLDER_USCC
        validate_enterprise_uscc(code)
    # The metadata's own check decides: a code it refuses could not be signed.
    if not holder_code_valid(code_type, code):
        raise ValidationError(
            _("%(value)s is not a valid holder code for this licence type.") % {"value": code},
            code="invalid_holder_code",
        )
    return code


def find_holder(kind: str, code: str, name: str = "") -> Holder:
    """The holder with ``code`` (already cleaned), linked to its account or enterprise record
    when there is one. Without a ``name`` the record's name is used; with neither,
    ``ValidationError``."""
    name = " ".join(str(name or "").split())
    if kind == HolderKind.PERSON:
        user = user_by_id_number(code)
        name = name or (getattr(user, "real_name", "") or "")
        holder = Holder(HolderKind.PERSON, name, code, user=user)
    else:
        enterprise = Enterprise.objects.filter(uscc=code).first()
        name = name or (getattr(enterprise, "name", "") or "")
        holder = Holder(HolderKind.ENTERPRISE, name, code, enterprise=enterprise)
    if not holder.name:
        raise ValidationError(
            {"holder_name": [_("Enter the holder's name as it is printed on the licence.")]},
            code="holder_name_required",
        )
    return holder
