"""SMS verification of an anonymous reporter's phone (public web form).

A 6-digit code is texted through the SMS gateway; only its keyed hash is kept,
in the cache, for 5 minutes. A code is used once; 5 wrong tries burn it.
"""

from __future__ import annotations

import logging
import secrets

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yiwang.accounts import throttle
from yiwang.accounts.models import normalise_phone, validate_mobile
from yiwang.audit.context import current_ip
from yiwang.gmcrypto.core import blind_index
from yiwang.gmcrypto.masking import mask_phone
from yiwang.notify import sms

log = logging.getLogger(__name__)

CODE_TTL = 300
RESEND_AFTER = 60
MAX_TRIES = 5


def _key(phone: str) -> str:
    return "hotline:sms:" + blind_index(phone, "hotline-sms")


def clean_phone(phone: str) -> str:
    phone = normalise_phone(phone or "")
    if not phone:
        raise ValidationError({"phone": [pgettext("hotline", "Enter your mobile phone number.")]})
    try:
        validate_mobile(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc
    return phone


def send_code(phone: str) -> None:
    phone = clean_phone(phone)
    key = _key(phone)
    if cache.get(key + ":sent"):
        raise ValidationError(
            {
                "phone": [
                    _("A code was sent less than a minute ago; wait a moment before asking again.")
                ]
            }
        )
    # Per address, per number per day and the platform's daily budget (shared with login codes).
    throttle.reserve_sms(phone, ip=current_ip.get())
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(key, {"hash": blind_index(code, key), "tries": 0}, CODE_TTL)
    cache.set(key + ":sent", True, RESEND_AFTER)
    text = _("Your 12345 verification code is %(code)s; it is valid for 5 minutes.") % {
        "code": code
    }
    try:
        sms.get_gateway().send(phone, text)
    except Exception:
        log.exception("hotline code to %s could not be sent", mask_phone(phone))


def verify_code(phone: str, code: str) -> str:
    """The normalised phone when ``code`` is right; raises ValidationError otherwise."""
    phone = clean_phone(phone)
    key = _key(phone)
    entry = cache.get(key)
    code = (code or "").strip()
    if entry is None:
        raise ValidationError(
            {"code": [_("The code has expired or was never sent; ask for a new code.")]}
        )
    if not code or blind_index(code, key) != entry["hash"]:
        entry["tries"] += 1
        if entry["tries"] >= MAX_TRIES:
            cache.delete(key)
        else:
            cache.set(key, entry, CODE_TTL)
        raise ValidationError({"code": [_("The code is wrong; check the text message.")]})
    cache.delete(key)
    return phone
