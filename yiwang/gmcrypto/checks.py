"""System check: no production start on missing, default, derived or malformed keys.

Registered under ``Tags.security`` by :class:`yiwang.gmcrypto.apps.GmcryptoConfig`.
With ``DEBUG`` off every problem is an error, so ``yiwang run``, ``migrate``,
``check`` and the WSGI entry point stop; with ``DEBUG`` on (development) the same
problems are warnings and unset keys are derived from ``SECRET_KEY``.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from . import core

SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE = 5

# Values that were ever shipped as defaults or printed as examples.
KNOWN_DEFAULT_SECRET_KEYS = frozenset({"insecure-dev-key-change-me-in-production-0123456789"})
KNOWN_DEFAULT_HEX_KEYS = frozenset(
    {
        "0" * 32,
        "f" * 32,
        "00112233445566778899aabbccddeeff",
        "ffeeddccbbaa99887766554433221100",
        "0123456789abcdef0123456789abcdef",
    }
)

GENERATE = "python -c 'import secrets; print(secrets.{})'"

# Keys that only some apps use: unset is no problem until one of them is installed (a
# deployment that seals no signing keys need not hold a KEK; set, the key is checked anyway).
NEEDED_BY_APPS = {core.SIGNING_KEK: ("yiwang.seals", "yiwang.licences")}


def _hint(name: str) -> str:
    if name == "YIWANG_SECRET_KEY":
        fmt = "at least 50 random characters: " + GENERATE.format("token_urlsafe(50)")
    else:
        fmt = "32 random hex digits, unlike every other key: " + GENERATE.format("token_hex(16)")
    where = getattr(settings, "YIWANG_SECRETS_FILE", "var/secrets.env")
    return (
        f"Run `yiwang setup --keys-only` (it writes random keys to {where}), or set {name} "
        f"to {fmt}. A key that already protects data must not be replaced without its "
        "procedure: see docs/dev/operations.md#keys."
    )


def _message(debug: bool, number: int, name: str, text: str) -> checks.CheckMessage:
    if debug:
        text += " (DEBUG is on: allowed for development only.)"
        return checks.Warning(text, hint=_hint(name), id=f"gmcrypto.W{number:03d}")
    return checks.Error(text, hint=_hint(name), id=f"gmcrypto.E{number:03d}")


def _derived_values(secret_key: str) -> dict[str, str]:
    """Every development key derivable from this or a known default secret key."""
    values = {}
    for secret in {secret_key, *KNOWN_DEFAULT_SECRET_KEYS}:
        for name in core.KEY_LABELS:
            values[core.derived_key_hex(secret, name)] = name
    return values


def _secret_key_problems(secret_key: str) -> list[tuple[int, str]]:
    if not secret_key:
        return [(1, "YIWANG_SECRET_KEY is not set.")]
    if secret_key in KNOWN_DEFAULT_SECRET_KEYS or secret_key.startswith("django-insecure"):
        return [(2, "YIWANG_SECRET_KEY is a publicly known default value.")]
    if len(secret_key) < SECRET_KEY_MIN_LENGTH or len(set(secret_key)) < SECRET_KEY_MIN_UNIQUE:
        return [
            (
                4,
                f"YIWANG_SECRET_KEY is too weak: it needs at least {SECRET_KEY_MIN_LENGTH} "
                f"characters, {SECRET_KEY_MIN_UNIQUE} of them different.",
            )
        ]
    return []


def _needed(name: str) -> bool:
    users = NEEDED_BY_APPS.get(name)
    return users is None or any(apps.is_installed(app) for app in users)


def _hex_key_problems(name: str, value: str, derived: dict[str, str]) -> list[tuple[int, str]]:
    if not value:
        if not _needed(name):
            return []
        return [(1, f"{name} is not set, so it would be derived from the secret key.")]
    normalised = value.strip().lower()
    try:
        core.parse_hex_key(name, normalised)
    except ValueError:
        return [(4, f"{name} is malformed: it must be exactly 32 hex digits (16 bytes).")]
    if normalised in KNOWN_DEFAULT_HEX_KEYS or len(set(normalised)) < 6:
        return [(2, f"{name} is a publicly known default or trivially guessable value.")]
    if normalised in derived:
        return [(3, f"{name} is derived from a secret key instead of being independently random.")]
    return []


def _old_key_problems(current: str) -> list[tuple[int, str]]:
    problems = []
    try:
        current_id = core.key_id(core.parse_hex_key(core.SM4_KEY, current)) if current else None
    except ValueError:
        current_id = None  # reported as malformed above
    for value in core.old_sm4_keys_setting():
        try:
            old = core.parse_hex_key("YIWANG_SM4_OLD_KEYS", value)
        except ValueError:
            problems.append(
                (6, "YIWANG_SM4_OLD_KEYS must be a comma-separated list of 32-hex-digit keys.")
            )
            continue
        if old.hex() == current.strip().lower():
            problems.append((6, "YIWANG_SM4_OLD_KEYS repeats the current YIWANG_SM4_KEY."))
        elif core.key_id(old) == current_id:
            problems.append(
                (
                    6,
                    "A key in YIWANG_SM4_OLD_KEYS has the same key id as YIWANG_SM4_KEY: "
                    "generate another new YIWANG_SM4_KEY.",
                )
            )
    return problems


def check_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse missing, default, derived, malformed and shared keys (errors unless DEBUG)."""
    debug = bool(settings.DEBUG)
    try:
        secret_key = str(settings.SECRET_KEY or "")
    except ImproperlyConfigured:  # Django refuses to hand out an empty SECRET_KEY
        secret_key = ""
    derived = _derived_values(secret_key)
    found = [("YIWANG_SECRET_KEY", p) for p in _secret_key_problems(secret_key)]
    values = {"YIWANG_SECRET_KEY": secret_key}
    for name in core.KEY_LABELS:
        value = core.key_setting(name)
        values[name] = value.strip().lower()
        found += [(name, p) for p in _hex_key_problems(name, value, derived)]
    seen: dict[str, str] = {}
    for name, value in values.items():
        if value and value in seen:
            found.append((name, (5, f"{name} and {seen[value]} are equal: every key must differ.")))
        elif value:
            seen[value] = name
    current = str(getattr(settings, core.SM4_KEY, "") or "")
    found += [(core.SM4_KEY, p) for p in _old_key_problems(current)]
    return [_message(debug, number, name, text) for name, (number, text) in found]


def refuse_unsafe_keys() -> None:
    """For entry points that run no system checks (the WSGI application under gunicorn)."""
    errors = [m for m in check_keys() if m.is_serious()]
    if errors:
        raise ImproperlyConfigured(
            "Refusing to serve: "
            + " ".join(f"{m.id}: {m.msg}" for m in errors)
            + " Hint: "
            + (errors[0].hint or "")
        )
