"""SM3 and HMAC-SM3 against fixed test vectors and an independent implementation.

``core.hmac_sm3`` is ``cryptography``'s ``hmac.HMAC(key, hashes.SM3())``. These vectors pin
its output: the audit chain's links, blind indexes and the SM4 MAC keys are all HMAC-SM3, so
any change of implementation must give exactly these bytes. The reference is RFC 2104 written
out over ``gmssl``'s pure-Python SM3, which shares no code with ``cryptography``.
"""

import pytest
from gmssl import func, sm3

from yiwang.gmcrypto import core

BLOCK = 64  # SM3 block size in bytes

# GB/T 32905-2016, appendix A.1: SM3("abc").
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"

# (key, message, HMAC-SM3 hex); the last key is longer than a block, so it is hashed first.
HMAC_VECTORS = [
    (
        b"key",
        b"The quick brown fox jumps over the lazy dog",
        "bd4a34077888162b210645b8ebf74b9af357303789357a27c7fc457244ebd398",
    ),
    (
        bytes(range(16)),
        b"yiwang",
        "25eef0e9058f10bb8bc114b32be399401593aa07b920029a489d134b9edb8d4d",
    ),
    (
        b"k" * 100,
        b"abc" * 30,
        "c7d0386bb91e25359f473bea3910cd86fb5a2347c946a9f2eef6ba10fce64ad7",
    ),
]


def _sm3(data: bytes) -> bytes:
    return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(data)))


def reference_hmac_sm3(key: bytes, message: bytes) -> str:
    """RFC 2104 HMAC over gmssl's SM3."""
    if len(key) > BLOCK:
        key = _sm3(key)
    key = key.ljust(BLOCK, b"\0")
    inner = _sm3(bytes(b ^ 0x36 for b in key) + message)
    return _sm3(bytes(b ^ 0x5C for b in key) + inner).hex()


def test_sm3_standard_vector():
    assert core.sm3_hex(b"abc") == SM3_ABC
    assert _sm3(b"abc").hex() == SM3_ABC


@pytest.mark.parametrize(("key", "message", "expected"), HMAC_VECTORS)
def test_hmac_sm3_vectors(key, message, expected):
    assert core.hmac_sm3_hex(key, message) == expected
    assert core.hmac_sm3(key, message).hex() == expected
    assert reference_hmac_sm3(key, message) == expected


def test_cached_keyed_state_does_not_leak_between_messages():
    key, message, expected = HMAC_VECTORS[0]
    core.hmac_sm3(key, b"something else first")
    assert core.hmac_sm3_hex(key, message) == expected
