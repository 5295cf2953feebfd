"""Helpers shared by the account actions: who the actor is, field cleaning, inserting users.

Cleaners append ``ValidationError`` objects to an ``errors`` dict keyed by field, so an
action can report every problem at once and raise them together with ``_errors()``.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yiwang.gmcrypto.core import blind_index
from yiwang.orgs import scope
from yiwang.orgs.models import Role

from ..models import (
    User,
    normalise_phone,
    normalise_resident_id,
    validate_mobile,
    validate_resident_id,
)

# The audit label of events with no logged-in actor (failed logins, SMS code requests).
ANONYMOUS = "anonymous"


# --- who acts ----------------------------------------------------------------


def _is_user(actor) -> bool:
    return getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False)


def _is_staff_admin(actor) -> bool:
    """Superusers and data-authority administrators manage identities platform-wide."""
    return _is_user(actor) and (actor.is_superuser or scope.has_role(actor, Role.AUTHORITY))


def _is_staff_with_post(actor) -> bool:
    return _is_user(actor) and (actor.is_superuser or bool(scope.posts_of(actor)))


# --- blind indexes -------------------------------------------------------------


def id_number_index(value: str) -> str:
    return blind_index(normalise_resident_id(value), "id")


def phone_index(value: str) -> str:
    return blind_index(normalise_phone(value), "phone")


# --- collecting errors -----------------------------------------------------------


def _errors(errors: dict[str, list]) -> None:
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        raise ValidationError(errors)


def _collect(errors: dict[str, list], field: str, func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.error_list)
        return None


# --- user fields -------------------------------------------------------------------


def _clean_username(value: str, errors: dict) -> str:
    username = (value or "").strip()
    if not username:
        errors.setdefault("username", []).append(
            ValidationError(
                _("Choose a user name (letters, digits and @ . + - _)."), code="required"
            )
        )
        return username
    _collect(errors, "username", User.username_validator, username)
    if len(username) > 150:
        errors.setdefault("username", []).append(
            ValidationError(
                _("The user name is too long: use at most 150 characters."), code="max_length"
            )
        )
    elif User.objects.filter(username__iexact=username).exists():
        errors.setdefault("username", []).append(
            ValidationError(
                _("The user name “%(username)s” is already taken. Choose another one."),
                code="duplicate_username",
                params={"username": username},
            )
        )
    return username


def _clean_real_name(value: str, errors: dict, *, required: bool = True) -> str:
    name = " ".join((value or "").split())
    if required and not name:
        errors.setdefault("real_name", []).append(
            ValidationError(_("Enter your real name as printed on your ID card."), code="required")
        )
    elif len(name) > 50:
        errors.setdefault("real_name", []).append(
            ValidationError(
                _("The real name is too long: use at most 50 characters."), code="max_length"
            )
        )
    return name


def _clean_phone(value: str, errors: dict, *, required: bool = True, exclude_pk=None) -> str:
    phone = normalise_phone(value)
    if not phone:
        if required:
            errors.setdefault("phone", []).append(
                ValidationError(_("Enter your mobile phone number."), code="required")
            )
        return phone
    _collect(errors, "phone", validate_mobile, phone)
    if "phone" not in errors:
        qs = User.objects.filter(phone_index=phone_index(phone))
        if exclude_pk is not None:
            qs = qs.exclude(pk=exclude_pk)
        if qs.exists():
            errors.setdefault("phone", []).append(
                ValidationError(
                    _(
                        "This mobile number is already registered to another account. Log in with it "
                        "(you can use an SMS code), or use a different number."
                    ),
                    code="duplicate_phone",
                )
            )
    return phone


def _clean_id_number(value: str, errors: dict) -> str:
    number = normalise_resident_id(value)
    if not number:
        errors.setdefault("id_number", []).append(
            ValidationError(_("Enter your 18-character resident ID number."), code="required")
        )
        return number
    _collect(errors, "id_number", validate_resident_id, number)
    if (
        "id_number" not in errors
        and User.objects.filter(id_number_index=id_number_index(number)).exists()
    ):
        errors.setdefault("id_number", []).append(
            ValidationError(
                _(
                    "This resident ID number is already registered. If it is yours, log in instead "
                    "(an SMS code to the registered phone works too), or ask a service hall for help."
                ),
                code="duplicate_id_number",
            )
        )
    return number


def _clean_password(password: str, user: User, errors: dict, field: str = "password") -> None:
    if not password:
        errors.setdefault(field, []).append(
            ValidationError(_("Enter a password."), code="required")
        )
        return
    _collect(errors, field, validate_password, password, user)


# --- writing users -------------------------------------------------------------------


def _save_new_user(user: User) -> None:
    """Insert, turning a race on the unique blind indexes into a field error."""
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        message = str(exc)
        if "phone" in message:
            field, text = "phone", _("This mobile number is already registered to another account.")
        elif "username" in message:
            field, text = "username", _("This user name is already taken. Choose another one.")
        else:
            field, text = "id_number", _("This resident ID number is already registered.")
        raise ValidationError({field: [ValidationError(text, code="duplicate")]}) from exc


def _user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "kind": user.kind,
        "real_name": user.real_name,
        "realname_level": user.realname_level,
        "id_number": user.masked_id_number,
        "phone": user.masked_phone,
    }
