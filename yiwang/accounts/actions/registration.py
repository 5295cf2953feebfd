"""Registration of natural persons (自然人): self-service or by service staff."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import is_system

from ..models import Kind, RealNameLevel, User
from ._common import (
    _clean_id_number,
    _clean_password,
    _clean_phone,
    _clean_real_name,
    _clean_username,
    _errors,
    _is_staff_with_post,
    _save_new_user,
    _user_snapshot,
)

# The audit label of a person registering themself (no actor yet).
SELF_REGISTRATION = "self-registration"


@transaction.atomic
def create_citizen(
    *, actor, username: str, password: str, real_name: str, id_number: str, phone: str
) -> User:
    """Register a natural person (自然人). ``actor=None`` means self-registration: the one
    self-service action here, so the only one that accepts no actor."""
    errors: dict[str, list] = {}
    username = _clean_username(username, errors)
    real_name = _clean_real_name(real_name, errors)
    id_number = _clean_id_number(id_number, errors)
    phone = _clean_phone(phone, errors)
    user = User(username=username, real_name=real_name, kind=Kind.CITIZEN)
    _clean_password(password, user, errors)
    _errors(errors)
    if not (actor is None or is_system(actor) or _is_staff_with_post(actor)):
        raise PermissionDenied(_("Only service staff can register an account for someone else."))

    user.id_number = id_number
    user.phone = phone
    user.realname_level = RealNameLevel.BASIC
    user.set_password(password)
    _save_new_user(user)
    record(
        actor=actor if actor is not None else SELF_REGISTRATION,
        action="accounts.citizen_created",
        obj=user,
        after=_user_snapshot(user),
    )
    return user
