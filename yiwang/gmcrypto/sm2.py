"""SM2 signatures (GB/T 32918.2, GM/T 0009) behind one small API, so a certified module can
replace the binding.

Only this module touches SM2. Everything else calls :func:`generate_keypair`, :func:`sign`,
:func:`verify`, :func:`public_key_of`, :func:`z_value`, and :func:`seal_private_key` /
:func:`open_private_key` for private keys at rest.

Formats, all as GM/T 0009 writes them:

* private key: 32 bytes as 64 hex digits, ``1 <= d <= n - 2``;
* public key: the uncompressed point ``04 || x || y`` as 130 hex digits;
* signature: DER ``SEQUENCE { r INTEGER, s INTEGER }`` (at most 72 bytes, usually 70-72);
* signed digest: ``e = SM3(Z || M)`` with
  ``Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA)``, ENTL the ID's length in bits
  (two bytes, big-endian) and ID the signer's user ID, ``1234567812345678`` by default.

Binding: ``gmssl-pyx``, a C extension statically linking GmSSL 3 (the reference SM2/SM3/SM4
library of the GmSSL project), with cp311 manylinux wheels and releases in 2026. It is
called at the digest level (``sm2_sign_sm3_digest`` / ``sm2_verify_sm3_digest``) and this
module computes Z itself: the user ID is then ours to choose, and signing is ten times
faster than the library's one-call ``sm2_sign``, which derives the public key on every
call (about 3,500 against 320 signatures/s on one core here; verification about 1,500/s).
Also tried: ``tongsuopy`` (Tongsuo, no release since 2023, no way to pass a user ID),
``gmssl-fast`` (0.1.0, raw r||s only, slower here: ~870 signatures and ~460 verifications/s),
``smcryptopy`` (its Rust core aborts the whole process on a malformed DER signature),
``gmalglib`` and ``easy-gmssl`` (no wheel for this platform: they need a compiler).
``cryptography`` has no SM2 keys. The pure-Python ``gmssl`` package, 20-40 times slower,
is kept as the independent second implementation the tests cross-check against.

GmSSL prints two ``file:line:function()`` lines to stderr whenever a verification fails,
and that cannot be switched off. Malformed keys and signatures are therefore refused here
before GmSSL sees them, so only well-formed but wrong signatures reach it; a public
verification endpoint should still be rate-limited so a stream of forgeries cannot flood
the error log.

The public key of a private key (needed for Z) is derived in Python: ``gmssl-pyx`` offers no
function for it. That costs about 20 ms and is not constant-time, so it is done
once per key and process and remembered under an SM3 digest of the private key (the
cache never holds private keys).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache

import gmssl_pyx

from . import core

DEFAULT_USER_ID = b"1234567812345678"

# The recommended curve (GB/T 32918.5): y^2 = x^3 + ax + b over F_p, base point G of order n.
P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0
_CURVE = b"".join(v.to_bytes(32, "big") for v in (A, B, GX, GY))

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_HEX130 = re.compile(r"04[0-9a-fA-F]{128}")
MAX_USER_ID_BYTES = 8191  # ENTL is two bytes counting bits


@dataclass(frozen=True)
class KeyPair:
    """A key pair as hex text. The private key is left out of ``repr`` (logs, tracebacks)."""

    private_key: str = field(repr=False)
    public_key: str


class SealedKeyError(core.DecryptionError):
    """A sealed private key does not open under the configured ``YIWANG_SIGNING_KEK``."""


def generate_keypair() -> KeyPair:
    """A new key pair from GmSSL's generator (the operating system's random source)."""
    public, private = gmssl_pyx.sm2_key_generate()
    return KeyPair(private_key=private.hex(), public_key="04" + public.hex())


# --- keys ---------------------------------------------------------------------------------


def _private_scalar(private_hex: str) -> int:
    """The private key as a number; ValueError saying what is wrong with it."""
    if not isinstance(private_hex, str) or not _HEX64.fullmatch(private_hex):
        raise ValueError("an SM2 private key must be 64 hex digits (32 bytes)")
    d = int(private_hex, 16)
    if not 1 <= d <= N - 2:  # 1 + d must be invertible modulo n
        raise ValueError("the SM2 private key is out of range (1 to n - 2)")
    return d


def _on_curve(x: int, y: int) -> bool:
    return x < P and y < P and (y * y - x * x * x - A * x - B) % P == 0


def _public_point(public_hex: object) -> bytes | None:
    """``x || y`` (64 bytes) of a well-formed public key on the curve, else None."""
    return _checked_point(public_hex) if isinstance(public_hex, str) else None


@lru_cache(maxsize=1024)  # public keys are few; checking one is a third of verify's Python time
def _checked_point(public_hex: str) -> bytes | None:
    if not _HEX130.fullmatch(public_hex):
        return None
    raw = bytes.fromhex(public_hex[2:])
    x, y = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    return raw if _on_curve(x, y) else None


def _add(p1: tuple[int, int] | None, p2: tuple[int, int] | None) -> tuple[int, int] | None:
    """Affine point addition (None is the point at infinity)."""
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2:
        if (y1 + y2) % P == 0:
            return None
        slope = (3 * x1 * x1 + A) * pow(2 * y1, -1, P) % P
    else:
        slope = (y2 - y1) * pow(x2 - x1, -1, P) % P
    x3 = (slope * slope - x1 - x2) % P
    return x3, (slope * (x1 - x3) - y1) % P


def _derive_public(d: int) -> bytes:
    # A Montgomery ladder: one addition and one doubling per bit, whatever the bit.
    low: tuple[int, int] | None = None
    high: tuple[int, int] | None = (GX, GY)
    for i in reversed(range(256)):
        if (d >> i) & 1:
            low, high = _add(low, high), _add(high, high)
        else:
            low, high = _add(low, low), _add(low, high)
    assert low is not None  # d < n: never the point at infinity
    return low[0].to_bytes(32, "big") + low[1].to_bytes(32, "big")


_public_by_digest: dict[bytes, bytes] = {}
_public_lock = threading.Lock()
_PUBLIC_CACHE_SIZE = 256


def _public_of(private: bytes, d: int) -> bytes:
    tag = core.sm3_digest(b"yiwang-sm2-public-key:" + private)
    public = _public_by_digest.get(tag)
    if public is None:
        public = _derive_public(d)
        with _public_lock:
            if len(_public_by_digest) >= _PUBLIC_CACHE_SIZE:
                _public_by_digest.clear()
            _public_by_digest[tag] = public
    return public


def public_key_of(private_hex: str) -> str:
    """The public key (``04 || x || y``, hex) of a private key; ValueError if malformed."""
    d = _private_scalar(private_hex)
    return "04" + _public_of(d.to_bytes(32, "big"), d).hex()


# --- signatures ---------------------------------------------------------------------------


def _user_id_bytes(user_id: bytes | str) -> bytes:
    if isinstance(user_id, str):
        raw = user_id.encode()
    elif isinstance(user_id, bytes | bytearray | memoryview):
        raw = bytes(user_id)
    else:
        raise TypeError("an SM2 user ID is bytes or text")
    if len(raw) > MAX_USER_ID_BYTES:
        raise ValueError(f"an SM2 user ID is at most {MAX_USER_ID_BYTES} bytes")
    return raw


def _z(point: bytes, user_id: bytes | str) -> bytes:
    raw = _user_id_bytes(user_id)
    return core.sm3_digest((len(raw) * 8).to_bytes(2, "big") + raw + _CURVE + point)


def z_value(public_hex: str, user_id: bytes | str = DEFAULT_USER_ID) -> bytes:
    """Z of GB/T 32918.2 section 5.5 (32 bytes); ValueError for a malformed public key."""
    point = _public_point(public_hex)
    if point is None:
        raise ValueError("an SM2 public key must be 04 and 128 hex digits, a point on the curve")
    return _z(point, user_id)


def _digest(point: bytes, message: bytes, user_id: bytes | str) -> bytes:
    return core.sm3_digest(_z(point, user_id) + message)


def sign(private_hex: str, message: bytes, user_id: bytes | str = DEFAULT_USER_ID) -> bytes:
    """The DER signature of ``message``; ValueError for a malformed key or user ID."""
    d = _private_scalar(private_hex)
    private = d.to_bytes(32, "big")
    digest = _digest(_public_of(private, d), message, user_id)
    return bytes(gmssl_pyx.sm2_sign_sm3_digest(private, digest))


def _der_signature(signature: bytes) -> tuple[int, int] | None:
    """(r, s) of a strict DER ``SEQUENCE { INTEGER, INTEGER }`` with 1 <= r, s < n, else None.

    Short-form lengths only (the whole is at most 72 bytes), minimal positive integers, no
    trailing bytes: one signature has one encoding.
    """
    if not 8 <= len(signature) <= 72 or signature[0] != 0x30 or signature[1] != len(signature) - 2:
        return None
    values = []
    at = 2
    for _ in range(2):
        if at + 2 > len(signature) or signature[at] != 0x02:
            return None
        size = signature[at + 1]
        body = signature[at + 2 : at + 2 + size]
        if not 1 <= size <= 33 or len(body) != size or body[0] & 0x80:
            return None
        if size > 1 and body[0] == 0 and not body[1] & 0x80:
            return None
        values.append(int.from_bytes(body, "big"))
        at += 2 + size
    if at != len(signature):
        return None
    r, s = values
    return (r, s) if 1 <= r < N and 1 <= s < N else None


def verify(
    public_hex: str,
    message: bytes,
    signature: bytes,
    user_id: bytes | str = DEFAULT_USER_ID,
) -> bool:
    """True when ``signature`` is ``message``'s under that key and user ID; never raises on a
    malformed key, signature or user ID (False)."""
    point = _public_point(public_hex)
    if point is None or not isinstance(signature, bytes | bytearray | memoryview):
        return False
    signature = bytes(signature)
    if _der_signature(signature) is None or not isinstance(message, bytes | bytearray):
        return False
    try:
        digest = _digest(point, bytes(message), user_id)
    except (TypeError, ValueError):  # a user ID of another type, or too long
        return False
    try:
        return bool(gmssl_pyx.sm2_verify_sm3_digest(point, digest, signature))
    except (gmssl_pyx.GmsslInnerError, ValueError, TypeError):
        return False


# --- private keys at rest -----------------------------------------------------------------


def seal_private_key(private_hex: str) -> str:
    """The private key encrypted (SM4-CBC + HMAC-SM3, core's format) under the signing KEK."""
    d = _private_scalar(private_hex)
    return core.encrypt_with(core.signing_kek(), f"{d:064x}")


def open_private_key(token: str, kek: core.Sm4Key | None = None) -> str:
    """The private key of a sealed token; SealedKeyError when the KEK does not open it.
    ``kek``: another KEK than the configured one (the previous KEK, while re-sealing)."""
    kek = kek or core.signing_kek()
    try:
        writer = core.token_key_id(token)
    except core.DecryptionError as exc:
        raise SealedKeyError(f"not a sealed SM2 private key ({exc})") from exc
    if writer is not None and writer != kek.id:
        # Key ids are one public byte of each key's HMAC, written into every token.
        raise SealedKeyError(
            f"the private key was sealed under another {core.SIGNING_KEK} (key id "
            f"{writer:#04x}; the configured key's id is {kek.id:#04x})"
        )
    try:
        private_hex = core.decrypt_with(kek, token)
    except core.DecryptionError as exc:
        raise SealedKeyError(
            f"the sealed private key does not open under {core.SIGNING_KEK}: it was altered "
            "or sealed under another key"
        ) from exc
    _private_scalar(private_hex)
    return private_hex
