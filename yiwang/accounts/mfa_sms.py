"""The SMS fallback of the second factor: a 6-digit code texted to the staff member's phone.

Off unless the county enables it (``YIWANG_MFA_SMS_FALLBACK``): an SMS code is weaker
than an authenticator (SIM swap, interception), but some counties prefer it to locking
out a staff member whose phone app is gone. The codes use the ``SmsCode`` table of the
login codes under a key of their own, only their keyed hash is stored, and wrong codes
count towards the lockout like every other wrong second factor (``mfa.count_failure``).
"""

from __future__ import annotations

import datetime
import hmac
import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.gmcrypto.core import blind_index
from yiwang.gmcrypto.masking import mask_phone
from yiwang.notify import sms

from . import mfa
from .models import SmsCode, User
from .queries import is_locked

SMS_TTL = datetime.timedelta(minutes=5)
SMS_RESEND_SECONDS = 60
SMS_MAX_ATTEMPTS = 5
SMS_DAILY = 10

logger = logging.getLogger(__name__)


def _sms_key(user: User) -> str:
    return blind_index(str(user.pk), "mfa-sms")


def _sms_hash(user: User, code: str) -> str:
    return blind_index(code, f"mfa-sms:{user.pk}")


def _sms_available(user: User) -> None:
    if not settings.YIWANG_MFA_SMS_FALLBACK:
        raise mfa.code_error(_("Codes by SMS are not enabled on this platform."), "sms_disabled")
    if not user.phone:
        raise mfa.code_error(
            _(
                "No mobile number is recorded for your account, so no code can be sent. Use your "
                "authenticator app or a recovery code."
            ),
            "no_phone",
        )


@transaction.atomic
def send_sms_code(*, user: User) -> None:
    """Text a 6-digit code to the staff member's recorded phone (when the county enables it)."""
    _sms_available(user)
    key = _sms_key(user)
    now = timezone.now()
    last = SmsCode.objects.select_for_update().filter(phone_index=key).order_by("-id").first()
    if last is not None and (now - last.created_at).total_seconds() < SMS_RESEND_SECONDS:
        raise mfa.code_error(
            _("A code was sent less than a minute ago. Wait a moment before asking again."),
            "too_soon",
        )
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if SmsCode.objects.filter(phone_index=key, created_at__gte=start_of_day).count() >= SMS_DAILY:
        raise mfa.code_error(
            _(
                "%(limit)d codes have been sent today, the daily maximum. Use your authenticator "
                "app or a recovery code."
            ),
            "daily_limit",
            limit=SMS_DAILY,
        )
    SmsCode.objects.filter(phone_index=key, used=False).update(used=True)
    code = f"{secrets.randbelow(10**mfa.DIGITS):0{mfa.DIGITS}d}"
    row = SmsCode.objects.create(
        phone_index=key, code_hash=_sms_hash(user, code), expires_at=now + SMS_TTL
    )
    record(
        actor=user,
        action="accounts.mfa_sms_sent",
        obj=row,
        after={"user": user.pk, "phone": mask_phone(user.phone)},
    )
    phone = user.phone
    text = _(
        "Your second-factor code for Dabu County government services is %(code)s, valid for "
        "%(minutes)d minutes. Never tell it to anyone, including staff."
    ) % {"code": code, "minutes": int(SMS_TTL.total_seconds() // 60)}
    transaction.on_commit(lambda: _text(phone, text))


def _text(phone: str, text: str) -> None:
    try:
        sms.get_gateway().send(phone, text)
    except Exception:  # the page says a code is on its way either way; the log says why not
        logger.exception("second-factor code to %s could not be sent", mask_phone(phone))


def verify_sms_code(*, user: User, code: str) -> str:
    """Check an SMS code sent by ``send_sms_code``; wrong codes count towards the lockout."""
    _sms_available(user)
    normalised = mfa.normalise_code(code)
    if not (len(normalised) == mfa.DIGITS and normalised.isdigit()):
        raise mfa.code_error(_("Enter the 6-digit code from the text message."), "invalid_format")
    user.refresh_from_db(fields=["failed_logins", "locked_until"])
    if is_locked(user):
        raise mfa.locked_error(user)
    error: ValidationError | None = None
    with transaction.atomic():
        row = (
            SmsCode.objects.select_for_update()
            .filter(phone_index=_sms_key(user))
            .order_by("-id")
            .first()
        )
        usable = (
            row is not None
            and not row.used
            and row.expires_at > timezone.now()
            and row.attempts < SMS_MAX_ATTEMPTS
        )
        if (
            row is not None
            and usable
            and hmac.compare_digest(row.code_hash, _sms_hash(user, normalised))
        ):
            row.used = True
            row.save(update_fields=["used"])
        else:
            if row is not None and usable:
                row.attempts += 1
                row.save(update_fields=["attempts"])
            mfa.count_failure(user, reason="wrong_sms_code", stage="login", factor=mfa.SMS)
            user.refresh_from_db(fields=["failed_logins", "locked_until"])
            error = (
                mfa.locked_error(user)
                if is_locked(user)
                else mfa.code_error(
                    _(
                        "The code is wrong, expired or already used. Ask for a new code, or use "
                        "your authenticator app."
                    ),
                    "wrong_code",
                )
            )
    if error is not None:
        raise error
    return mfa.SMS
