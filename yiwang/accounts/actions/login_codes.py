"""SMS login codes: issuing a code to a registered number and logging in with it."""

from __future__ import annotations

import datetime
import logging
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.context import current_ip
from yiwang.gmcrypto.core import blind_index
from yiwang.gmcrypto.masking import mask_phone
from yiwang.notify import sms

from .. import throttle
from ..models import SmsCode, User, normalise_phone, validate_mobile
from ._common import ANONYMOUS, phone_index
from .login import lock_message

SMS_CODE_LENGTH = 6
SMS_CODE_TTL = datetime.timedelta(minutes=5)
SMS_RESEND_SECONDS = 60
SMS_DAILY_LIMIT = 10
SMS_MAX_ATTEMPTS = 5

logger = logging.getLogger(__name__)


def _code_hash(phone_idx: str, code: str) -> str:
    return blind_index(code, f"sms-login:{phone_idx}")


def _clean_login_phone(phone: str) -> str:
    phone = normalise_phone(phone)
    if not phone:
        raise ValidationError(
            {"phone": [ValidationError(_("Enter your mobile phone number."), code="required")]}
        )
    try:
        validate_mobile(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.error_list}) from exc
    return phone


def _send_sms(phone: str, text: str) -> None:
    try:
        sms.get_gateway().send(phone, text)
    except Exception:  # the answer must not differ, so a failed send is only logged
        logger.exception("login code to %s could not be sent", mask_phone(phone))


def _latest_code(idx: str) -> SmsCode | None:
    """The newest code issued to the number, locked: only it can be used."""
    return (
        SmsCode.objects.select_for_update()
        .filter(phone_index=idx)
        .order_by("-created_at", "-id")
        .first()
    )


# --- issuing -----------------------------------------------------------------------------


def _check_code_limits(idx: str, now: datetime.datetime) -> None:
    """Refuse a new code within a minute of the last one, or beyond the number's daily count."""
    last = _latest_code(idx)
    if last is not None:
        wait = SMS_RESEND_SECONDS - int((now - last.created_at).total_seconds())
        if wait > 0:
            raise ValidationError(
                {
                    "phone": [
                        ValidationError(
                            _(
                                "A code was sent to this number less than a minute ago. Wait %(seconds)d seconds "
                                "before asking for another one."
                            ),
                            code="too_soon",
                            params={"seconds": wait},
                        )
                    ]
                }
            )
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if (
        SmsCode.objects.filter(phone_index=idx, created_at__gte=start_of_day).count()
        >= SMS_DAILY_LIMIT
    ):
        raise ValidationError(
            {
                "phone": [
                    ValidationError(
                        _(
                            "This number has had %(limit)d codes today, the daily maximum. Log in with your password "
                            "or try again tomorrow."
                        ),
                        code="daily_limit",
                        params={"limit": SMS_DAILY_LIMIT},
                    )
                ]
            }
        )


@transaction.atomic
def send_login_code(*, phone: str) -> None:
    """Issue a 6-digit login code (valid 5 minutes) and text it if the number is registered.

    The answer is the same whether or not the number belongs to an account, so the
    form cannot be used to find out who is registered. Limits: one code per number
    per minute, ten per day, and the shared SMS caps of ``throttle.reserve_sms`` (per
    address of the current request, per number, platform-wide per day).
    """
    phone = _clean_login_phone(phone)
    idx = phone_index(phone)
    now = timezone.now()
    _check_code_limits(idx, now)

    # Per address, per number per day and the platform's daily budget, shared by every SMS
    # code; counted alike for registered and unknown numbers.
    throttle.reserve_sms(phone, ip=current_ip.get())

    # Only the newest code is valid.
    SmsCode.objects.filter(phone_index=idx, used=False).update(used=True)
    code = f"{secrets.randbelow(10**SMS_CODE_LENGTH):0{SMS_CODE_LENGTH}d}"
    sms_code = SmsCode.objects.create(
        phone_index=idx, code_hash=_code_hash(idx, code), expires_at=now + SMS_CODE_TTL
    )
    user = User.objects.filter(phone_index=idx, is_active=True).first()
    record(
        actor=ANONYMOUS,
        action="accounts.sms_code_requested",
        obj=sms_code,
        after={"phone": mask_phone(phone), "user": user.pk if user else None},
    )
    if user is not None:
        text = _(
            "Your login code for Dabu County government services is %(code)s. It is valid for "
            "%(minutes)d minutes. Never tell it to anyone, including staff."
        ) % {"code": code, "minutes": int(SMS_CODE_TTL.total_seconds() // 60)}
        transaction.on_commit(lambda: _send_sms(phone, text))


# --- logging in with a code ------------------------------------------------------------------


def _clean_code(code: str) -> str:
    code = "".join((code or "").split())
    if not (len(code) == SMS_CODE_LENGTH and code.isascii() and code.isdigit()):
        raise ValidationError(
            {
                "code": [
                    ValidationError(
                        _("Enter the %(length)d-digit code from the text message."),
                        code="invalid_code",
                        params={"length": SMS_CODE_LENGTH},
                    )
                ]
            }
        )
    return code


def _spent_code_error(sms_code: SmsCode, now: datetime.datetime) -> ValidationError | None:
    """Why the newest code can no longer be used whatever is typed: used, expired, or tried out."""
    if sms_code.used:
        return ValidationError(
            _("This code has already been used or replaced by a newer one. Ask for a new code."),
            code="used",
        )
    if sms_code.expires_at <= now:
        return ValidationError(
            _(
                "This code has expired (codes are valid for %(minutes)d minutes). Ask for a new code."
            ),
            code="expired",
            params={"minutes": int(SMS_CODE_TTL.total_seconds() // 60)},
        )
    if sms_code.attempts >= SMS_MAX_ATTEMPTS:
        return ValidationError(
            _(
                "This code was entered wrongly too many times and no longer works. Ask for a new code."
            ),
            code="too_many_attempts",
        )
    return None


def _count_wrong_attempt(sms_code: SmsCode) -> ValidationError:
    sms_code.attempts += 1
    sms_code.save(update_fields=["attempts"])
    left = SMS_MAX_ATTEMPTS - sms_code.attempts
    if left > 0:
        return ValidationError(
            _("The code is wrong. Check the text message; %(left)d attempts left for this code."),
            code="wrong_code",
            params={"left": left},
        )
    return ValidationError(
        _("The code is wrong, and that was the last attempt. Ask for a new code."),
        code="too_many_attempts",
    )


def _use_code(
    sms_code: SmsCode, idx: str, now: datetime.datetime
) -> tuple[ValidationError | None, User | None]:
    """Spend a right code on the number's account; refused if there is none or it is locked."""
    user = User.objects.filter(phone_index=idx, is_active=True).first()
    if user is None:
        # A code for an unregistered number was never sent: treat like a wrong code.
        return ValidationError(
            _("The code is wrong. Check the text message."), code="wrong_code"
        ), None
    if user.locked_until and user.locked_until > now:
        return ValidationError(lock_message(user), code="locked"), None
    sms_code.used = True
    sms_code.save(update_fields=["used"])
    return None, user


def _check_code(
    sms_code: SmsCode | None, idx: str, code: str, now: datetime.datetime
) -> tuple[ValidationError | None, User | None]:
    """The error to show for ``code``, or none and the user it logs in."""
    if sms_code is None:
        return ValidationError(
            _("No code has been sent to this number. Ask for a code first."), code="no_code"
        ), None
    spent = _spent_code_error(sms_code, now)
    if spent is not None:
        return spent, None
    if not secrets.compare_digest(sms_code.code_hash, _code_hash(idx, code)):
        return _count_wrong_attempt(sms_code), None
    return _use_code(sms_code, idx, now)


def verify_login_code(*, phone: str, code: str) -> User:
    """Check a login code and return its user; a code works once, for 5 minutes, 5 tries.

    A wrong attempt is counted even though an error is raised, so this function
    commits its own small transaction before raising.
    """
    phone = _clean_login_phone(phone)
    code = _clean_code(code)
    idx = phone_index(phone)
    with transaction.atomic():
        sms_code = _latest_code(idx)
        error, user = _check_code(sms_code, idx, code, timezone.now())
        if error is not None and sms_code is not None:
            record(
                actor=ANONYMOUS,
                action="accounts.sms_code_rejected",
                obj=sms_code,
                after={"reason": error.code},
            )
    if error is not None:
        raise ValidationError({"code": [error]})
    assert user is not None  # the only path that leaves ``error`` unset found the user
    return user
