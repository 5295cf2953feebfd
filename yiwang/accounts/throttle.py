"""Rate limits kept in the cache, keyed so that one noisy address cannot abuse or block others.

Every limit is a fixed window counted in the cache (Redis in production, so all web
processes share it): a rolling period (``window``) or the local calendar day (``daily``).
Keys are keyed hashes, so user names, phone numbers and addresses never sit in the cache
in clear.

* **Password and SMS-code logins** count failures per (address, account), per account
  from any address, and per address. The per-address ceiling is high: an office NAT or a
  reverse proxy carries many people, and one person's typos (or an attacker guessing one
  account) must not lock out the others. Unknown user names are counted and locked exactly
  like real ones, so the answers never tell whether an account exists.
* **SMS codes** (login codes and the hotline's verification codes) share one set of caps:
  per address, per number per day and a global daily budget that protects the gateway bill.
* **Self-registration**: per address per day and a global daily number of new accounts.

The addresses come from ``yiwang.audit.context.client_ip`` (``X-Forwarded-For`` is
believed only from ``YIWANG_TRUSTED_PROXIES``). The per-account lockout stored on the user
(``accounts.actions.register_failed_login``) works on top of these limits.
"""

from __future__ import annotations

import datetime
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.audit.context import client_ip
from yiwang.gmcrypto.core import blind_index

from .models import normalise_phone

logger = logging.getLogger(__name__)

__all__ = ["client_ip"]  # re-exported: throttles and audit entries read the same address


def _seconds_to_midnight() -> int:
    now = timezone.localtime()
    midnight = (now + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, math.ceil((midnight - now).total_seconds()))


@dataclass(frozen=True)
class Limit:
    """At most ``settings.<max_setting>`` hits per window for each key.

    The window is ``settings.<window_setting>`` seconds from the first hit, or the local
    calendar day when ``daily``. Settings are read on every call, so tests and operators
    can change them without a restart of this module.
    """

    name: str
    max_setting: str
    window_setting: str = ""
    daily: bool = False

    @property
    def limit(self) -> int:
        return int(getattr(settings, self.max_setting))

    def _window(self) -> int:
        if self.daily:
            return _seconds_to_midnight()
        return int(getattr(settings, self.window_setting))

    def _key(self, parts: tuple) -> str:
        raw = "\x1f".join("-" if p is None else str(p) for p in parts)
        day = timezone.localdate().isoformat() if self.daily else "w"
        return f"yiwang:throttle:{self.name}:{day}:{blind_index(raw, 'throttle:' + self.name)}"

    def count(self, *parts) -> int:
        return int(cache.get(self._key(parts), 0))

    def blocked(self, *parts) -> bool:
        return self.count(*parts) >= self.limit

    def hit(self, *parts) -> int:
        """Count one event; returns the count in the current window, this one included."""
        key = self._key(parts)
        window = self._window()
        if cache.add(key, 1, timeout=window):
            cache.set(key + ":until", time.time() + window, timeout=window)
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            cache.set(key + ":until", time.time() + window, timeout=window)
            return 1

    def reset(self, *parts) -> None:
        key = self._key(parts)
        cache.delete_many([key, key + ":until"])

    def retry_minutes(self, *parts) -> int:
        """Whole minutes (at least 1) until the current window ends for this key."""
        until = cache.get(self._key(parts) + ":until")
        seconds = (until - time.time()) if until else self._window()
        return max(1, math.ceil(seconds / 60))


def _refusal(limit: Limit, parts: tuple, message, code: str) -> ValidationError:
    return ValidationError(message, code=code, params={"minutes": limit.retry_minutes(*parts)})


# --- logins --------------------------------------------------------------------------------

LOGIN_IP = Limit("login-ip", "YIWANG_LOGIN_IP_MAX_FAILURES", "YIWANG_LOGIN_IP_WINDOW_SECONDS")
LOGIN_IP_ACCOUNT = Limit(
    "login-ip-account",
    "YIWANG_LOGIN_IP_ACCOUNT_MAX_FAILURES",
    "YIWANG_LOGIN_IP_ACCOUNT_WINDOW_SECONDS",
)
LOGIN_ACCOUNT = Limit(
    "login-account", "YIWANG_LOGIN_ACCOUNT_MAX_FAILURES", "YIWANG_LOGIN_ACCOUNT_WINDOW_SECONDS"
)
# Consecutive wrong passwords for names that match no active account, so that they are
# "locked" exactly like real accounts (the lock itself is a separate key).
UNKNOWN_ACCOUNT = Limit("login-unknown", "YIWANG_LOGIN_MAX_FAILURES", "YIWANG_LOGIN_UNKNOWN_WINDOW")


def account_key(identifier: str, user=None) -> str:
    """What per-account login limits count: the account when known, else the typed name.

    A name is normalised as the login form matches it (mobile numbers without spaces or
    +86, user names without case), so variants of one name share one counter.
    """
    if user is not None and user.pk is not None:
        return f"user:{user.pk}"
    phone = normalise_phone(identifier)
    if len(phone) == 11 and phone.isascii() and phone.isdigit():
        return f"phone:{phone}"
    return "name:" + (identifier or "").strip().casefold()


@dataclass(frozen=True)
class LoginAttempt:
    ip: str | None
    account: str


def login_refusal(attempt: LoginAttempt) -> ValidationError | None:
    """The error to answer without checking the password, or ``None`` to go on."""
    checks = (
        (
            LOGIN_IP_ACCOUNT,
            (attempt.ip, attempt.account),
            _(
                "Too many failed logins for this account from your network. Wait %(minutes)d "
                "minutes and try again."
            ),
            "ip_account_throttled",
        ),
        (
            LOGIN_ACCOUNT,
            (attempt.account,),
            _(
                "Too many failed logins for this account. Wait %(minutes)d minutes and try "
                "again, or ask a service hall for help."
            ),
            "account_throttled",
        ),
        (
            LOGIN_IP,
            (attempt.ip,),
            _("Too many failed logins from your network. Wait %(minutes)d minutes and try again."),
            "ip_throttled",
        ),
    )
    for limit, parts, message, code in checks:
        if limit.blocked(*parts):
            return _refusal(limit, parts, message, code)
    return None


def login_failed(attempt: LoginAttempt) -> None:
    LOGIN_IP_ACCOUNT.hit(attempt.ip, attempt.account)
    LOGIN_ACCOUNT.hit(attempt.account)
    LOGIN_IP.hit(attempt.ip)


def login_succeeded(attempt: LoginAttempt) -> None:
    """The right credentials clear this address's count for the account (not the others)."""
    LOGIN_IP_ACCOUNT.reset(attempt.ip, attempt.account)


def login_needs_captcha(ip: str | None, account: str | None = None) -> bool:
    """A CAPTCHA is asked once an address or an account has had a few failures."""
    after = int(settings.YIWANG_LOGIN_CAPTCHA_AFTER)
    if LOGIN_IP.count(ip) >= after:
        return True
    return account is not None and LOGIN_ACCOUNT.count(account) >= after


def _unknown_lock_key(account: str) -> str:
    return "yiwang:throttle:login-unknown-lock:" + blind_index(account, "throttle:unknown-lock")


def unknown_account_locked_until(account: str) -> datetime.datetime | None:
    stamp = cache.get(_unknown_lock_key(account))
    if stamp is None or stamp <= time.time():
        return None
    return datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC)


def unknown_account_failed(account: str) -> datetime.datetime | None:
    """Count a wrong password for a name without an account; lock it like a real one.

    Returns the end of the lock when this failure started one.
    """
    if UNKNOWN_ACCOUNT.hit(account) < UNKNOWN_ACCOUNT.limit:
        return None
    UNKNOWN_ACCOUNT.reset(account)
    seconds = int(settings.YIWANG_LOGIN_LOCK_MINUTES) * 60
    until = time.time() + seconds
    cache.set(_unknown_lock_key(account), until, timeout=seconds)
    return datetime.datetime.fromtimestamp(until, tz=datetime.UTC)


# --- SMS codes -------------------------------------------------------------------------------

SMS_IP = Limit("sms-ip", "YIWANG_SMS_IP_MAX_REQUESTS", "YIWANG_SMS_IP_WINDOW_SECONDS")
SMS_NUMBER = Limit("sms-number", "YIWANG_SMS_NUMBER_DAILY_MAX", daily=True)
SMS_GLOBAL = Limit("sms-global", "YIWANG_SMS_DAILY_GLOBAL_MAX", daily=True)


def _sms_error(message, code: str, **params) -> ValidationError:
    return ValidationError({"phone": [ValidationError(message, code=code, params=params)]})


def _sms_refusal(phone: str, ip: str | None) -> ValidationError | None:
    if ip is not None and SMS_IP.blocked(ip):
        return _sms_error(
            _(
                "Too many codes were requested from your network. Wait %(minutes)d minutes, "
                "or log in with your password."
            ),
            "sms_ip_limit",
            minutes=SMS_IP.retry_minutes(ip),
        )
    if SMS_NUMBER.blocked(phone):
        return _sms_error(
            _(
                "This number has had %(limit)d codes today, the daily maximum. Try again "
                "tomorrow, or log in with your password."
            ),
            "sms_number_limit",
            limit=SMS_NUMBER.limit,
        )
    if SMS_GLOBAL.blocked():
        if cache.add(
            "yiwang:throttle:sms-global-logged:" + timezone.localdate().isoformat(), 1, 86400
        ):
            logger.error(
                "SMS daily budget exhausted: %d codes sent today (YIWANG_SMS_DAILY_GLOBAL_MAX); "
                "further codes are refused until midnight",
                SMS_GLOBAL.limit,
            )
        return _sms_error(
            _(
                "Verification codes cannot be sent any more today: the platform's daily number "
                "of text messages is used up. Try again tomorrow, log in with your password, "
                "or call 12345."
            ),
            "sms_global_limit",
        )
    return None


def reserve_sms(phone: str, *, ip: str | None) -> None:
    """Count one verification code about to be texted to ``phone`` for a request from ``ip``.

    Raises ``ValidationError({"phone": ...})`` (nothing counted) when a cap is reached:
    per address per window, per number per day, or the platform's daily budget.
    ``ip=None`` means no web request (a command): only the per-number and global caps apply.
    Every SMS-code endpoint calls this before sending, whatever the answer it gives.
    """
    phone = normalise_phone(phone)
    error = _sms_refusal(phone, ip)
    if error is not None:
        raise error
    SMS_GLOBAL.hit()
    SMS_NUMBER.hit(phone)
    if ip is not None:
        SMS_IP.hit(ip)


# --- self-registration ----------------------------------------------------------------------

REGISTER_IP = Limit("register-ip", "YIWANG_REGISTER_IP_DAILY_MAX", daily=True)
REGISTER_GLOBAL = Limit("register-global", "YIWANG_REGISTER_DAILY_GLOBAL_MAX", daily=True)


def registration_refusal(ip: str | None) -> ValidationError | None:
    if REGISTER_IP.blocked(ip):
        return ValidationError(
            _(
                "Too many registrations were tried from your network today. Try again "
                "tomorrow, or register at a service hall."
            ),
            code="register_ip_limit",
        )
    if REGISTER_GLOBAL.blocked():
        return ValidationError(
            _(
                "Online registration has reached its daily limit. Try again tomorrow, or "
                "register at a service hall."
            ),
            code="register_global_limit",
        )
    return None


def registration_tried(ip: str | None, *, created: bool) -> None:
    """Count a complete registration form: every one per address, created accounts globally."""
    REGISTER_IP.hit(ip)
    if created:
        REGISTER_GLOBAL.hit()
