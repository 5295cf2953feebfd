"""SM3 and SM4 behind one module, so a certified implementation can replace it (SM4 runs
through GmSSL, gmssl-pyx; SM3 and HMAC-SM3 through `cryptography`).

Only this module touches cipher primitives. Everything else calls
``sm3_hex``, ``hmac_sm3_hex``, ``encrypt`` / ``decrypt``, ``blind_index`` and
``audit_key``.

Keys come from settings only (``YIWANG_SM4_KEY``, ``YIWANG_BLIND_INDEX_KEY``,
``YIWANG_AUDIT_KEY``, ``YIWANG_SIGNING_KEK``: 16 bytes as 32 hex digits). In development
(``DEBUG`` on) an unset key is derived from ``SECRET_KEY`` so that a checkout runs with no
configuration; the system check in :mod:`yiwang.gmcrypto.checks` warns about it,
and refuses to start without real keys when ``DEBUG`` is off.

``YIWANG_SIGNING_KEK`` is the key-encryption key of the SM2 private keys (see
:mod:`yiwang.gmcrypto.sm2`).

Ciphertext formats (base64 text):

* version 1: ``0x01 | iv(16) | SM4-CBC(data) | HMAC-SM3(body)``; still readable.
* version 2: ``0x02 | key id(1) | iv(16) | SM4-CBC(data) | HMAC-SM3(body)``. The key
  id names which SM4 key wrote the value, so during a key rotation the new key
  (``YIWANG_SM4_KEY``) and the old ones (``YIWANG_SM4_OLD_KEYS``) both decrypt, and
  ``yiwang rotate_keys sm4`` finds the values still under an old key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from gmssl_pyx import (
    GmsslInnerError,
    InvalidValueError,
    sm4_cbc_padding_decrypt,
    sm4_cbc_padding_encrypt,
)

_V1 = 1  # SM4-CBC + HMAC-SM3 (encrypt-then-MAC), no key id
_V2 = 2  # the same, with the writing key's id after the version byte

# Setting name → derivation label (the label also separates the development keys).
SM4_KEY = "YIWANG_SM4_KEY"
BLIND_INDEX_KEY = "YIWANG_BLIND_INDEX_KEY"
AUDIT_KEY = "YIWANG_AUDIT_KEY"
SIGNING_KEK = "YIWANG_SIGNING_KEK"
KEY_LABELS = {
    SM4_KEY: "yiwang-sm4",
    BLIND_INDEX_KEY: "yiwang-blind-index",
    AUDIT_KEY: "yiwang-audit",
    SIGNING_KEK: "yiwang-signing-kek",
}


def sm3_digest(data: bytes) -> bytes:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def sm3_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    return sm3_digest(data).hex()


@lru_cache(maxsize=32)
def _hmac_state(key: bytes) -> crypto_hmac.HMAC:
    """The keyed state, computed once per key: the audit chain's link is hashed under lock."""
    return crypto_hmac.HMAC(key, hashes.SM3())


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    h = _hmac_state(key).copy()
    h.update(data)
    return h.finalize()


def hmac_sm3_hex(key: bytes, data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    return hmac_sm3(key, data).hex()


# --- keys -------------------------------------------------------------------------------


class MissingKeyError(ImproperlyConfigured):
    """A key the operation needs is not configured (and DEBUG is off)."""


def key_setting(name: str) -> str:
    """The configured value of key setting ``name`` ("" when unset)."""
    return str(getattr(settings, name, "") or "")


def parse_hex_key(name: str, value: str) -> bytes:
    """``value`` as 16 key bytes; ValueError naming the setting when it is not 32 hex digits."""
    try:
        key = bytes.fromhex(value.strip())
    except ValueError:
        key = b""
    if len(key) != 16:
        raise ValueError(f"{name} must be 16 bytes (32 hex digits)")
    return key


def derived_key_hex(secret_key: str, name: str) -> str:
    """The development key for setting ``name``, derived from ``secret_key``."""
    return hmac_sm3(secret_key.encode(), KEY_LABELS[name].encode())[:16].hex()


def _configured_key(name: str, configured: str, secret_key: str, debug: bool) -> bytes:
    if configured:
        return parse_hex_key(name, configured)
    if debug:
        return bytes.fromhex(derived_key_hex(secret_key, name))
    raise MissingKeyError(
        f"{name} is not set. Run `yiwang setup` (it writes random keys to var/secrets.env) "
        f"or set {name} to 32 hex digits, e.g. from "
        "`python -c 'import secrets; print(secrets.token_hex(16))'`."
    )


def key_id(key: bytes) -> int:
    """One byte naming an SM4 key inside version-2 ciphertexts."""
    return hmac_sm3(key, b"yiwang-sm4-key-id")[0]


@dataclass(frozen=True)
class Sm4Key:
    id: int
    enc: bytes
    mac: bytes


def _sm4_key(enc: bytes) -> Sm4Key:
    return Sm4Key(id=key_id(enc), enc=enc, mac=hmac_sm3(enc, b"yiwang-mac")[:16])


def old_sm4_keys_setting() -> list[str]:
    """``YIWANG_SM4_OLD_KEYS`` as a list (a comma-separated string or a list in settings)."""
    value = getattr(settings, "YIWANG_SM4_OLD_KEYS", "") or ""
    items = value.split(",") if isinstance(value, str) else list(value)
    return [item.strip() for item in items if item.strip()]


@lru_cache(maxsize=8)
def _ring(current: str, old: tuple[str, ...], secret: str, debug: bool) -> tuple[Sm4Key, ...]:
    keys = [_sm4_key(_configured_key(SM4_KEY, current, secret, debug))]
    for value in old:
        keys.append(_sm4_key(parse_hex_key("YIWANG_SM4_OLD_KEYS", value)))
    return tuple(keys)


def sm4_keys() -> tuple[Sm4Key, ...]:
    """The current SM4 key first, then the old keys still accepted for reading."""
    return _ring(
        settings.YIWANG_SM4_KEY,
        tuple(old_sm4_keys_setting()),
        settings.SECRET_KEY,
        settings.DEBUG,
    )


def current_sm4_key_id() -> int:
    return sm4_keys()[0].id


@lru_cache(maxsize=8)
def _single(name: str, configured: str, secret: str, debug: bool) -> bytes:
    return _configured_key(name, configured, secret, debug)


def blind_index_key() -> bytes:
    return _single(
        BLIND_INDEX_KEY, settings.YIWANG_BLIND_INDEX_KEY, settings.SECRET_KEY, settings.DEBUG
    )


def audit_key() -> bytes:
    """The audit chain's HMAC key. It lives in the environment, never in the database."""
    return _single(
        AUDIT_KEY, getattr(settings, "YIWANG_AUDIT_KEY", ""), settings.SECRET_KEY, settings.DEBUG
    )


@lru_cache(maxsize=8)
def _kek(configured: str, secret: str, debug: bool) -> Sm4Key:
    return _sm4_key(_configured_key(SIGNING_KEK, configured, secret, debug))


def kek_from_hex(name: str, value: str) -> Sm4Key:
    """A key-encryption key given as 32 hex digits, such as the previous signing KEK while the
    seals are re-sealed under a new one; ValueError naming ``name`` when it is not one."""
    return _sm4_key(parse_hex_key(name, value))


def signing_kek() -> Sm4Key:
    """The key-encryption key of the SM2 private keys (``YIWANG_SIGNING_KEK``).

    Never the SM4 data key: a leaked database dump plus the data key must not also yield
    the departments' signing keys, and each key is replaced by its own procedure.
    """
    return _kek(key_setting(SIGNING_KEK), settings.SECRET_KEY, settings.DEBUG)


def keys() -> tuple[bytes, bytes, bytes]:
    """(SM4 encryption key, its MAC key, blind-index key) currently in use."""
    current = sm4_keys()[0]
    return current.enc, current.mac, blind_index_key()


# --- SM4 --------------------------------------------------------------------------------


# SM4-CBC with PKCS#7 padding through GmSSL (gmssl-pyx): one C call per value, ten times
# faster than building a ``cryptography`` cipher context for each (a hub table encrypts a
# million ID numbers). The output is the same bytes; tests check it against ``cryptography``.


_EMPTY_PADDED = bytes([16]) * 16  # PKCS#7 of nothing: one block of padding


def _sm4_cbc_encrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    if not data:  # GmSSL refuses an empty plaintext; its padded form is one block of 16s
        return sm4_cbc_padding_encrypt(key, iv, _EMPTY_PADDED)[:16]
    return sm4_cbc_padding_encrypt(key, iv, data)


def _seal(key: Sm4Key, plaintexts: list[str]) -> list[str]:
    """Version 2 tokens: version, key id, IV, SM4-CBC ciphertext, then the HMAC-SM3 of all
    that, in base64. The IVs of many values are drawn at once."""
    head, enc, mac = bytes([_V2, key.id]), key.enc, _hmac_state(key.mac)
    ivs = os.urandom(16 * len(plaintexts))
    sealed = []
    for start, plaintext in zip(range(0, len(ivs), 16), plaintexts, strict=True):
        iv = ivs[start : start + 16]
        body = head + iv + _sm4_cbc_encrypt(enc, iv, plaintext.encode())
        h = mac.copy()
        h.update(body)
        sealed.append(binascii.b2a_base64(body + h.finalize(), newline=False).decode())
    return sealed


def encrypt(plaintext: str) -> str:
    """SM4-CBC with a random IV under the current key, authenticated with HMAC-SM3."""
    return _seal(sm4_keys()[0], [plaintext])[0]


def encrypt_many(plaintexts: list[str]) -> list[str]:
    """``encrypt`` of each text, for writing many values (hub tables)."""
    return _seal(sm4_keys()[0], plaintexts)


def encrypt_with(key: Sm4Key, plaintext: str) -> str:
    """``encrypt`` under another key than the data key (the signing KEK): the same format."""
    return _seal(key, [plaintext])[0]


class DecryptionError(ValueError):
    pass


def _split(token: str) -> tuple[bytes, bytes]:
    try:
        raw = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("ciphertext is not base64") from exc
    if len(raw) < 1 + 16 + 16 + 32:
        raise DecryptionError("ciphertext is too short")
    return raw[:-32], raw[-32:]


def token_key_id(token: str) -> int | None:
    """The key id a ciphertext names (None for version 1, which names none)."""
    body, _ = _split(token)
    if body[0] == _V2:
        return body[1]
    if body[0] == _V1:
        return None
    raise DecryptionError("unknown ciphertext version")


def needs_reencryption(token: str) -> bool:
    """True when the value is not written by the current key in the current format."""
    return token_key_id(token) != current_sm4_key_id()


def _open(token: str, ring: tuple[Sm4Key, ...]) -> str:
    body, tag = _split(token)
    version = body[0]
    if version == _V2:
        candidates = [k for k in ring if k.id == body[1]]
        iv, ct = body[2:18], body[18:]
    elif version == _V1:
        candidates = list(ring)
        iv, ct = body[1:17], body[17:]
    else:
        raise DecryptionError("ciphertext failed authentication")
    for key in candidates:
        if hmac.compare_digest(hmac_sm3(key.mac, body), tag):
            break
    else:
        raise DecryptionError("ciphertext failed authentication")
    try:
        return sm4_cbc_padding_decrypt(key.enc, iv, ct).decode()
    except (GmsslInnerError, InvalidValueError, UnicodeDecodeError) as exc:
        # Authenticated, so written by us with another layout: never expected.
        raise DecryptionError("ciphertext does not decrypt") from exc


def decrypt(token: str) -> str:
    return _open(token, sm4_keys())


def decrypt_with(key: Sm4Key, token: str) -> str:
    """``decrypt`` under that one key only (DecryptionError when it did not write the value)."""
    return _open(token, (key,))


def decrypter() -> Callable[[str], str]:
    """``decrypt`` with the key ring looked up once, for reading many values."""
    return partial(_open, ring=sm4_keys())


def blind_index(value: str, purpose: str) -> str:
    """Deterministic keyed SM3-HMAC for exact lookup of an encrypted value."""
    return blind_indexes([value], purpose)[0]


def blind_indexes(values: list[str], purpose: str) -> list[str]:
    """``blind_index`` of each value (the key looked up once, for many values). Case and
    surrounding spaces do not count: 44142219900101123x finds 44142219900101123X."""
    state = _hmac_state(blind_index_key())
    prefix = f"{purpose}:"
    indexes = []
    for value in values:
        h = state.copy()
        h.update(f"{prefix}{value.strip().upper()}".encode())
        indexes.append(h.finalize().hex())
    return indexes


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
