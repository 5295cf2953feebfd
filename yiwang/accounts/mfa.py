"""Second factor for staff: TOTP authenticators (RFC 6238), recovery codes, SMS fallback.

等保 2.0 level 3 asks administrators and the people who see everyone's data to log in
with two factors. Superusers always need one; so do staff holding a post with a role in
``YIWANG_MFA_REQUIRED_ROLES`` (data authority, auditors, department administrators by
default), and every staff member when ``YIWANG_MFA_ALL_STAFF`` is on. Other staff may
enrol of their own accord; once enrolled, their logins ask for it too.

The secret is stored SM4-encrypted; recovery codes only as keyed hashes. A code is
accepted for the current 30-second step and one step either side (clock drift), and
never twice: the device remembers the last step it accepted. Wrong codes count towards
the same account lockout as wrong passwords. Every enrolment, failure, recovery-code
use, removal and reset is appended to the audit chain in the action's transaction.
The SMS fallback channel lives in ``mfa_sms``.

The functions that change state follow ``actions``: keyword-only actor, validation,
permission, write, ``record(...)``; errors are ``ValidationError`` keyed by ``code``.
"""

from __future__ import annotations

import base64
import hmac
import io
import secrets
import time

import pyotp
import qrcode
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from qrcode.image.svg import SvgPathImage

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM, is_system
from yiwang.gmcrypto.core import blind_index
from yiwang.orgs import scope
from yiwang.orgs.models import Role

from . import actions
from .models import Kind, RecoveryCode, TotpDevice, User
from .queries import is_locked

DIGITS = 6
STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
RECOVERY_LENGTH = 10

# Factors as recorded in the session and the audit log.
TOTP = "totp"
RECOVERY = "recovery"
SMS = "sms"


# --- policy and reading ------------------------------------------------------------


def is_staff(user) -> bool:
    return bool(user is not None and (user.kind == Kind.STAFF or user.is_superuser))


def required_for(user) -> bool:
    """Whether ``user`` must log in with a second factor (see the module docstring)."""
    if not is_staff(user) or not user.is_active:
        return False
    if user.is_superuser or settings.YIWANG_MFA_ALL_STAFF:
        return True
    return bool(scope.posts_of(user, settings.YIWANG_MFA_REQUIRED_ROLES))


def confirmed_device(user) -> TotpDevice | None:
    if user is None or user.pk is None:
        return None
    return (
        TotpDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False)
        .order_by("-confirmed_at", "-id")
        .first()
    )


def is_enrolled(user) -> bool:
    return confirmed_device(user) is not None


def needs_second_factor(user) -> bool:
    """Whether a login of ``user`` stops after the password for a second step."""
    return required_for(user) or is_enrolled(user)


def may_reset(actor, user) -> bool:
    """Superusers and the data authority reset others' factors; only superusers a superuser's."""
    if not (getattr(actor, "is_authenticated", False) and actor.is_active):
        return False
    if actor.pk == user.pk:
        return False
    if user.is_superuser:
        return actor.is_superuser
    return actor.is_superuser or scope.has_role(actor, Role.AUTHORITY)


def remaining_recovery_codes(user) -> int:
    return RecoveryCode.objects.filter(user_id=user.pk, used_at__isnull=True).count()


def status(user) -> dict:
    """What the profile page shows about the second factor."""
    device = confirmed_device(user)
    return {
        "staff": is_staff(user),
        "required": required_for(user),
        "enrolled": device is not None,
        "confirmed_at": device.confirmed_at if device else None,
        "recovery_left": remaining_recovery_codes(user) if device else 0,
        "sms_fallback": settings.YIWANG_MFA_SMS_FALLBACK and bool(user.phone),
        "may_reset_others": is_staff(user)
        and (user.is_superuser or scope.has_role(user, Role.AUTHORITY)),
    }


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` URI authenticator apps read from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=user.username, issuer_name=settings.YIWANG_MFA_ISSUER
    )


def qr_data_uri(text: str) -> str:
    """An inline SVG QR code (the CSP allows ``data:`` images, nothing external)."""
    image = qrcode.make(text, image_factory=SvgPathImage, box_size=10, border=2)
    buf = io.BytesIO()
    image.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- codes -------------------------------------------------------------------------------


def normalise_code(code: str) -> str:
    return "".join(c for c in (code or "").upper() if c.isalnum() and c.isascii())


def _recovery_hash(user: User, code: str) -> str:
    return blind_index(normalise_code(code), f"mfa-recovery:{user.pk}")


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones; returns them (shown once)."""
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(RECOVERY_LENGTH))
        for _n in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.filter(user_id=user.pk).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user_id=user.pk, code_hash=_recovery_hash(user, code)) for code in codes
    )
    half = RECOVERY_LENGTH // 2
    return [f"{code[:half]}-{code[half:]}" for code in codes]


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def _match_step(secret: str, code: str, *, after_step: int) -> tuple[int | None, bool]:
    """(step that ``code`` belongs to, or None; whether it was a replay of a used step)."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    now = current_step()
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return (None, True) if step <= after_step else (step, False)
    return None, False


def code_error(message: str, code: str, **params) -> ValidationError:
    return ValidationError({"code": [ValidationError(message, code=code, params=params or None)]})


def _format_error() -> ValidationError:
    return code_error(
        _(
            "Enter the 6-digit code your authenticator app shows now, or one of your recovery "
            "codes (10 letters and digits)."
        ),
        "invalid_format",
    )


def _wrong_code_error(user: User, reason: str) -> ValidationError:
    if is_locked(user):
        return code_error(actions.lock_message(user), "locked")
    if reason == "replayed":
        return code_error(
            _(
                "This code has already been used. Wait until your authenticator app shows a new "
                "code (every 30 seconds) and enter that one."
            ),
            "replayed",
        )
    return code_error(
        _(
            "The code is wrong. Check that the time on your phone is correct and enter the code "
            "shown now; after %(max)d wrong attempts the account is locked for %(minutes)d minutes."
        ),
        "wrong_code",
        max=settings.YIWANG_LOGIN_MAX_FAILURES,
        minutes=settings.YIWANG_LOGIN_LOCK_MINUTES,
    )


def count_failure(user: User, *, reason: str, stage: str, factor: str) -> None:
    """Audit a rejected code and count it towards the lockout (caller's transaction)."""
    record(
        actor=actions.ANONYMOUS if stage == "login" else user,
        action="accounts.mfa_failed",
        obj=user,
        after={"reason": reason, "stage": stage, "factor": factor},
    )
    actions.register_failed_login(user)


def locked_error(user: User) -> ValidationError:
    return code_error(actions.lock_message(user), "locked")


def _check_totp(user: User, code: str, *, stage: str) -> TotpDevice:
    """Check a TOTP code against the user's confirmed device, or raise after counting it.

    Commits its own transaction so that a failure stays counted when the error is raised.
    """
    error: ValidationError | None = None
    with transaction.atomic():
        device = (
            TotpDevice.objects.select_for_update()
            .filter(user_id=user.pk, confirmed_at__isnull=False)
            .order_by("-confirmed_at", "-id")
            .first()
        )
        if device is None:
            raise code_error(
                _("No authenticator is set up for this account. Set one up first."), "no_device"
            )
        step, replayed = _match_step(device.secret, code, after_step=device.last_step)
        if step is None:
            reason = "replayed" if replayed else "wrong_code"
            count_failure(user, reason=reason, stage=stage, factor=TOTP)
            user.refresh_from_db(fields=["failed_logins", "locked_until"])
            error = _wrong_code_error(user, reason)
        else:
            device.last_step = step
            device.last_used_at = timezone.now()
            device.save(update_fields=["last_step", "last_used_at"])
    if error is not None:
        raise error
    return device


def _use_recovery_code(user: User, code: str, *, stage: str) -> int:
    """Spend a recovery code; returns how many are left. Raises (counted) when it is wrong."""
    error: ValidationError | None = None
    with transaction.atomic():
        row = (
            RecoveryCode.objects.select_for_update()
            .filter(user_id=user.pk, code_hash=_recovery_hash(user, code), used_at__isnull=True)
            .first()
        )
        if row is None:
            count_failure(user, reason="wrong_recovery_code", stage=stage, factor=RECOVERY)
            user.refresh_from_db(fields=["failed_logins", "locked_until"])
            error = (
                locked_error(user)
                if is_locked(user)
                else code_error(
                    _(
                        "This recovery code is wrong or has already been used. Each code works "
                        "once; check the list you saved."
                    ),
                    "wrong_recovery_code",
                )
            )
        else:
            row.used_at = timezone.now()
            row.save(update_fields=["used_at"])
            left = remaining_recovery_codes(user)
            record(
                actor=user,
                action="accounts.mfa_recovery_code_used",
                obj=user,
                after={"remaining": left, "stage": stage},
            )
    if error is not None:
        raise error
    return left


# --- the second step of a login ------------------------------------------------------------


def verify(*, user: User, code: str, stage: str = "login") -> str:
    """Check the second factor of ``user`` (a TOTP code or a recovery code); returns the factor.

    ``stage`` is ``login`` (the second step of a login) or ``step_up`` (a logged-in
    session proving the factor, e.g. before the admin). Wrong codes are audited and count
    towards the lockout; a locked account is refused even with the right code.
    """
    normalised = normalise_code(code)
    if not (
        (len(normalised) == DIGITS and normalised.isdigit()) or len(normalised) == RECOVERY_LENGTH
    ):
        raise _format_error()
    user.refresh_from_db(fields=["failed_logins", "locked_until", "is_active"])
    if not user.is_active:
        raise PermissionDenied(_("This account is disabled."))
    if is_locked(user):
        raise locked_error(user)
    if len(normalised) == DIGITS:
        _check_totp(user, normalised, stage=stage)
        factor = TOTP
    else:
        _use_recovery_code(user, normalised, stage=stage)
        factor = RECOVERY
    if stage != "login":  # a login is audited by register_successful_login
        with transaction.atomic():
            record(actor=user, action="accounts.mfa_verified", obj=user, after={"factor": factor})
    return factor


# --- enrolment and removal ---------------------------------------------------------------


@transaction.atomic
def start_enrolment(*, actor: User) -> TotpDevice:
    """The authenticator being set up for ``actor`` (a new secret unless one is pending)."""
    if not is_staff(actor) or not actor.is_active:
        raise PermissionDenied(_("Only staff accounts use an authenticator app."))
    device = (
        TotpDevice.objects.filter(user_id=actor.pk, confirmed_at__isnull=True)
        .order_by("-id")
        .first()
    )
    if device is None:
        device = TotpDevice.objects.create(user=actor, secret=pyotp.random_base32(length=32))
        record(actor=actor, action="accounts.mfa_enrolment_started", obj=actor)
    return device


def confirm_enrolment(*, actor: User, code: str) -> list[str]:
    """Confirm the pending authenticator with a current code; returns ten new recovery codes.

    Any previous authenticator and recovery codes are replaced. A wrong code is audited
    and counts towards the lockout like a wrong password.
    """
    normalised = normalise_code(code)
    if not (len(normalised) == DIGITS and normalised.isdigit()):
        raise code_error(
            _("Enter the 6-digit code your authenticator app shows for this account."),
            "invalid_format",
        )
    error: ValidationError | None = None
    with transaction.atomic():
        actor.refresh_from_db(fields=["failed_logins", "locked_until"])
        if is_locked(actor):
            raise locked_error(actor)
        device = (
            TotpDevice.objects.select_for_update()
            .filter(user_id=actor.pk, confirmed_at__isnull=True)
            .order_by("-id")
            .first()
        )
        if device is None:
            raise code_error(
                _("The set-up page has expired. Open it again to get a new QR code."), "no_device"
            )
        step, _replayed = _match_step(device.secret, normalised, after_step=0)
        if step is None:
            count_failure(actor, reason="wrong_code", stage="enrolment", factor=TOTP)
            actor.refresh_from_db(fields=["failed_logins", "locked_until"])
            error = _wrong_code_error(actor, "wrong_code")
        else:
            replaced = TotpDevice.objects.filter(
                user_id=actor.pk, confirmed_at__isnull=False
            ).exists()
            TotpDevice.objects.filter(user_id=actor.pk).exclude(pk=device.pk).delete()
            now = timezone.now()
            device.confirmed_at = device.last_used_at = now
            device.last_step = step
            device.save(update_fields=["confirmed_at", "last_used_at", "last_step"])
            codes = _new_recovery_codes(actor)
            record(
                actor=actor,
                action="accounts.mfa_enrolled",
                obj=actor,
                after={"replaced": replaced, "recovery_codes": len(codes)},
            )
    if error is not None:
        raise error
    return codes


@transaction.atomic
def _remove(user: User) -> bool:
    existed = TotpDevice.objects.filter(user_id=user.pk).exists()
    TotpDevice.objects.filter(user_id=user.pk).delete()
    RecoveryCode.objects.filter(user_id=user.pk).delete()
    return existed


def disable(*, actor: User, code: str) -> None:
    """Remove one's own authenticator, proven by a current code. Refused where it is required."""
    if required_for(actor):
        raise PermissionDenied(
            _(
                "Your role requires a second factor, so it cannot be switched off. To move it to "
                "a new phone, set up the authenticator again."
            )
        )
    verify(user=actor, code=code, stage="disable")
    with transaction.atomic():
        _remove(actor)
        record(actor=actor, action="accounts.mfa_disabled", obj=actor)


def renew_recovery_codes(*, actor: User, code: str) -> list[str]:
    """Replace one's recovery codes, proven by a current authenticator code."""
    normalised = normalise_code(code)
    if not (len(normalised) == DIGITS and normalised.isdigit()):
        raise code_error(
            _("Enter the 6-digit code your authenticator app shows now."), "invalid_format"
        )
    verify(user=actor, code=normalised, stage="recovery_codes")
    with transaction.atomic():
        codes = _new_recovery_codes(actor)
        record(
            actor=actor,
            action="accounts.mfa_recovery_codes_renewed",
            obj=actor,
            after={"recovery_codes": len(codes)},
        )
    return codes


@transaction.atomic
def reset(*, actor, user: User, reason: str) -> None:
    """An administrator removes ``user``'s authenticator (lost phone); audited with the reason.

    The user sets up a new one at the next login if their role requires it.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(
            {
                "reason": [
                    ValidationError(
                        _(
                            "Say why the second factor is reset (for example: phone lost, "
                            "confirmed by telephone)."
                        ),
                        code="required",
                    )
                ]
            }
        )
    if len(reason) > 200:
        raise ValidationError(
            {
                "reason": [
                    ValidationError(
                        _("The reason is too long: use at most 200 characters."),
                        code="max_length",
                    )
                ]
            }
        )
    if not (is_system(actor) or may_reset(actor, user)):
        raise PermissionDenied(
            _(
                "Only a superuser or the data authority administrator can reset another person's "
                "second factor (a superuser's only by another superuser)."
            )
        )
    existed = _remove(user)
    record(
        actor=actor or SYSTEM,
        action="accounts.mfa_reset",
        obj=user,
        after={"had_authenticator": existed, "reason": reason},
    )
