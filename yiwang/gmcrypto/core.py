"""SM3 and SM4 behind one module, so a certified implementation can replace it.

Only this module touches cipher primitives. Everything else calls
``sm3_hex``, ``hmac_sm3_hex``, ``encrypt`` / ``decrypt`` and ``blind_index``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

_VERSION = b"\x01"  # ciphertext format version: 1 = SM4-CBC + HMAC-SM3 (encrypt-then-MAC)


def sm3_digest(data: bytes) -> bytes:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def sm3_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    return sm3_digest(data).hex()


class _SM3:
    """hashlib-compatible constructor so the stdlib ``hmac`` can use SM3."""

    digest_size = 32
    block_size = 64

    def __init__(self, data: bytes = b""):
        self._h = hashes.Hash(hashes.SM3())
        if data:
            self._h.update(data)

    def update(self, data: bytes) -> None:
        self._h.update(data)

    def digest(self) -> bytes:
        return self._h.copy().finalize()

    def copy(self) -> _SM3:
        c = _SM3.__new__(_SM3)
        c._h = self._h.copy()
        return c


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, _SM3).digest()


def hmac_sm3_hex(key: bytes, data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    return hmac_sm3(key, data).hex()


def _derive(label: str, configured: str) -> bytes:
    if configured:
        key = bytes.fromhex(configured)
        if len(key) != 16:
            raise ValueError(f"{label} must be 16 bytes (32 hex digits)")
        return key
    return hmac_sm3(settings.SECRET_KEY.encode(), label.encode())[:16]


@lru_cache(maxsize=4)
def _keys(secret: str, sm4: str, blind: str) -> tuple[bytes, bytes, bytes]:
    enc = _derive("yiwang-sm4", sm4)
    mac = hmac_sm3(enc, b"yiwang-mac")[:16]
    idx = _derive("yiwang-blind-index", blind)
    return enc, mac, idx


def keys() -> tuple[bytes, bytes, bytes]:
    return _keys(settings.SECRET_KEY, settings.YIWANG_SM4_KEY, settings.YIWANG_BLIND_INDEX_KEY)


def encrypt(plaintext: str) -> str:
    """SM4-CBC with a random IV, authenticated with HMAC-SM3; returns base64 text."""
    enc_key, mac_key, _ = keys()
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    data = padder.update(plaintext.encode()) + padder.finalize()
    encryptor = Cipher(algorithms.SM4(enc_key), modes.CBC(iv)).encryptor()
    body = _VERSION + iv + encryptor.update(data) + encryptor.finalize()
    return base64.b64encode(body + hmac_sm3(mac_key, body)).decode()


class DecryptionError(ValueError):
    pass


def decrypt(token: str) -> str:
    enc_key, mac_key, _ = keys()
    raw = base64.b64decode(token)
    body, tag = raw[:-32], raw[-32:]
    if not hmac.compare_digest(hmac_sm3(mac_key, body), tag) or body[:1] != _VERSION:
        raise DecryptionError("ciphertext failed authentication")
    iv, ct = body[1:17], body[17:]
    decryptor = Cipher(algorithms.SM4(enc_key), modes.CBC(iv)).decryptor()
    data = decryptor.update(ct) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return (unpadder.update(data) + unpadder.finalize()).decode()


def blind_index(value: str, purpose: str) -> str:
    """Deterministic keyed SM3-HMAC for exact lookup of an encrypted value."""
    _, _, idx_key = keys()
    return hmac_sm3_hex(idx_key, f"{purpose}:{value.strip().upper()}")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
