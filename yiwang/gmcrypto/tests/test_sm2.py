"""SM2 signatures: the published example, cross-checks with pure-Python gmssl, bad input, sealing.

The pure-Python ``gmssl`` package is the independent second implementation: signatures made
by ``gmcrypto.sm2`` (GmSSL in C) must verify with it and the other way round, with the
default user ID and with others. Two of its quirks matter here:

* ``CryptSM2`` strips a leading ``04`` with ``str.lstrip("04")``, which also eats any ``0``
  and ``4`` digits that start x (the example's x starts with ``09``), so it is given the
  128-digit ``x || y`` only;
* ``sign_with_sm3`` hashes Z with the default user ID only, so for other IDs Z is computed
  here with its SM3 and the digest signed with ``sign``.
"""

import base64
import random
import secrets

import pytest
from Cryptodome.Util.asn1 import DerInteger, DerSequence  # pycryptodomex, gmssl's dependency
from gmssl import sm2 as pure
from gmssl import sm3 as pure_sm3

from yiwang.gmcrypto import core, sm2

# GB/T 32918.5-2017 annex (GM/T 0003.5-2012): signature on the recommended curve.
EXAMPLE_PRIVATE = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
EXAMPLE_PUBLIC = (
    "04"
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
EXAMPLE_MESSAGE = b"message digest"
EXAMPLE_Z = "B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3"
EXAMPLE_E = "F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640"
EXAMPLE_K = "59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21"
EXAMPLE_R = "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
EXAMPLE_S = "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"

KEK = "5d1c9e7a3b8f204c6e1a9d3f7b5c2e80"
OTHER_KEK = "a47e0c2b9d5f3816c0e4a2b8d6f1e937"
USER_IDS = [sm2.DEFAULT_USER_ID, b"ALICE123@YAHOO.COM", "大埔县市场监督管理局", b""]


def der(r: int, s: int) -> bytes:
    return DerSequence([DerInteger(r), DerInteger(s)]).encode()


def body(value: int) -> bytes:
    """The minimal DER body of a non-negative INTEGER."""
    raw = value.to_bytes(33, "big").lstrip(b"\0") or b"\0"
    return b"\0" + raw if raw[0] & 0x80 else raw


def raw_der(*bodies: bytes) -> bytes:
    content = b"".join(b"\x02" + bytes([len(b)]) + b for b in bodies)
    return b"\x30" + bytes([len(content)]) + content


def example_signature() -> bytes:
    return der(int(EXAMPLE_R, 16), int(EXAMPLE_S, 16))


# --- pure-Python gmssl, used as given -----------------------------------------------------


def pure_crypt(private_hex: str, public_hex: str) -> pure.CryptSM2:
    crypt = pure.CryptSM2(private_key=private_hex, public_key="", asn1=True)
    # Set after construction: the constructor's lstrip("04") would also eat an x that
    # begins with 0 or 4 digits (one key in a few hundred).
    crypt.public_key = public_hex[2:]
    return crypt


def pure_z(public_hex: str, user_id: bytes | str) -> bytes:
    raw = user_id.encode() if isinstance(user_id, str) else user_id
    table = pure.default_ecc_table
    data = (
        (len(raw) * 8).to_bytes(2, "big")
        + raw
        + bytes.fromhex(table["a"] + table["b"] + table["g"] + public_hex[2:])
    )
    return bytes.fromhex(pure_sm3.sm3_hash(list(data)))


def pure_digest(public_hex: str, message: bytes, user_id: bytes | str) -> bytes:
    return bytes.fromhex(pure_sm3.sm3_hash(list(pure_z(public_hex, user_id) + message)))


def pure_sign(private_hex: str, public_hex: str, message: bytes, user_id, k: str | None = None):
    crypt = pure_crypt(private_hex, public_hex)
    while True:
        nonce = k or f"{secrets.randbelow(sm2.N - 1) + 1:064x}"
        signature = crypt.sign(pure_digest(public_hex, message, user_id), nonce)
        if signature is not None:  # the rare r = 0 or r + k = n: another k
            return bytes.fromhex(signature)


def pure_verify(public_hex: str, message: bytes, signature: bytes, user_id) -> bool:
    digest = pure_digest(public_hex, message, user_id)
    return bool(pure_crypt("", public_hex).verify(signature.hex(), digest))


def pure_public(private_hex: str) -> str:
    crypt = pure.CryptSM2(private_key=private_hex, public_key="")
    return "04" + crypt._kg(int(private_hex, 16), pure.default_ecc_table["g"])


@pytest.fixture
def kek(settings):
    settings.YIWANG_SIGNING_KEK = KEK
    return KEK


# --- the published example ----------------------------------------------------------------


def test_example_public_key_z_and_digest():
    assert sm2.public_key_of(EXAMPLE_PRIVATE) == EXAMPLE_PUBLIC.lower()
    assert pure_public(EXAMPLE_PRIVATE).lower() == EXAMPLE_PUBLIC.lower()
    assert sm2.z_value(EXAMPLE_PUBLIC).hex() == EXAMPLE_Z.lower()
    assert pure_z(EXAMPLE_PUBLIC, sm2.DEFAULT_USER_ID).hex() == EXAMPLE_Z.lower()
    assert pure_digest(EXAMPLE_PUBLIC, EXAMPLE_MESSAGE, sm2.DEFAULT_USER_ID).hex() == (
        EXAMPLE_E.lower()
    )


def test_example_signature_reproduces_with_pure_gmssl_and_the_fixed_k():
    signature = pure_sign(
        EXAMPLE_PRIVATE, EXAMPLE_PUBLIC, EXAMPLE_MESSAGE, sm2.DEFAULT_USER_ID, k=EXAMPLE_K
    )
    assert signature == example_signature()
    # gmssl's own default-ID path gives the same (r, s) when handed x || y ...
    crypt = pure.CryptSM2(private_key=EXAMPLE_PRIVATE, public_key=EXAMPLE_PUBLIC[2:])
    assert crypt.sign_with_sm3(EXAMPLE_MESSAGE, EXAMPLE_K) == (EXAMPLE_R + EXAMPLE_S).lower()
    # ... but not with the 04 prefix: lstrip("04") eats the leading "0" of x = 09F9...
    assert (
        pure.CryptSM2(private_key="", public_key=EXAMPLE_PUBLIC).public_key != (EXAMPLE_PUBLIC[2:])
    )


def test_example_signature_verifies_with_the_compiled_implementation():
    assert sm2.verify(EXAMPLE_PUBLIC, EXAMPLE_MESSAGE, example_signature())
    assert sm2.verify(EXAMPLE_PUBLIC.lower(), EXAMPLE_MESSAGE, example_signature())
    assert not sm2.verify(EXAMPLE_PUBLIC, b"message digesT", example_signature())


def test_compiled_signature_of_the_example_key_verifies_with_pure_gmssl():
    signature = sm2.sign(EXAMPLE_PRIVATE, EXAMPLE_MESSAGE)
    assert pure_verify(EXAMPLE_PUBLIC, EXAMPLE_MESSAGE, signature, sm2.DEFAULT_USER_ID)
    assert sm2.verify(EXAMPLE_PUBLIC, EXAMPLE_MESSAGE, signature)


# --- cross-checks, both ways --------------------------------------------------------------


def _keys() -> list[sm2.KeyPair]:
    generated = [sm2.generate_keypair() for _ in range(3)]
    rng = random.Random(20260401)
    chosen = [f"{rng.randrange(1, sm2.N - 1):064x}" for _ in range(2)]
    chosen.append(f"{1:064x}")  # the smallest private key: the public key is G
    return generated + [sm2.KeyPair(d, pure_public(d)) for d in chosen]


def _messages() -> list[bytes]:
    rng = random.Random(7)
    return [b"", b"\x00", "电子证照 食品经营许可证".encode(), rng.randbytes(1000)]


def test_derived_public_keys_match_generated_pairs_and_pure_gmssl():
    for pair in _keys():
        assert sm2.public_key_of(pair.private_key) == pair.public_key.lower()
        assert pure_public(pair.private_key) == pair.public_key


@pytest.mark.parametrize("user_id", USER_IDS, ids=repr)
def test_z_value_agrees_with_pure_gmssl(user_id):
    for pair in _keys():
        assert sm2.z_value(pair.public_key, user_id) == pure_z(pair.public_key, user_id)


def test_default_id_digest_agrees_with_gmssl_own_z():
    pair = sm2.generate_keypair()
    crypt = pure_crypt(pair.private_key, pair.public_key)
    assert bytes.fromhex(crypt._sm3_z(b"abc")) == pure_digest(
        pair.public_key, b"abc", sm2.DEFAULT_USER_ID
    )


@pytest.mark.parametrize("user_id", USER_IDS, ids=repr)
def test_compiled_signatures_verify_with_pure_gmssl(user_id):
    keys = _keys()
    for i, message in enumerate(_messages()):
        pair = keys[i % len(keys)]
        signature = sm2.sign(pair.private_key, message, user_id)
        assert pure_verify(pair.public_key, message, signature, user_id)
        # and the same signature under another user ID is another statement
        assert not pure_verify(pair.public_key, message, signature, b"someone else")


@pytest.mark.parametrize("user_id", USER_IDS, ids=repr)
def test_pure_gmssl_signatures_verify_with_the_compiled_implementation(user_id):
    keys = _keys()
    for i, message in enumerate(_messages()):
        pair = keys[(i + 1) % len(keys)]
        signature = pure_sign(pair.private_key, pair.public_key, message, user_id)
        assert sm2.verify(pair.public_key, message, signature, user_id)
        assert not sm2.verify(pair.public_key, message, signature, b"someone else")


def test_text_user_id_is_its_utf8_bytes():
    pair = sm2.generate_keypair()
    signature = sm2.sign(pair.private_key, b"m", "大埔县")
    assert sm2.verify(pair.public_key, b"m", signature, "大埔县".encode())


def test_signatures_are_randomised_and_der_encoded():
    pair = sm2.generate_keypair()
    first, second = sm2.sign(pair.private_key, b"m"), sm2.sign(pair.private_key, b"m")
    assert first != second
    for signature in (first, second):
        assert signature[0] == 0x30 and len(signature) <= 72
        assert raw_der(*(body(v) for v in DerSequence().decode(signature))) == signature
        r, s = DerSequence().decode(signature)
        assert der(r, s) == signature  # minimal DER, as an independent encoder writes it
        assert sm2.verify(pair.public_key, b"m", signature)


# --- what must fail -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def signed():
    pair = sm2.generate_keypair()
    return pair, b"licence metadata", sm2.sign(pair.private_key, b"licence metadata")


def test_tampered_message_wrong_key_and_wrong_user_id_fail(signed):
    pair, message, signature = signed
    assert sm2.verify(pair.public_key, message, signature)
    assert not sm2.verify(pair.public_key, message + b" ", signature)
    assert not sm2.verify(pair.public_key, b"licence metadatA", signature)
    assert not sm2.verify(sm2.generate_keypair().public_key, message, signature)
    assert not sm2.verify(EXAMPLE_PUBLIC, message, signature)
    assert not sm2.verify(pair.public_key, message, signature, b"1234567812345679")
    assert not sm2.verify(pair.public_key, message, signature, b"")


def _bad_signatures(signature: bytes) -> dict[str, object]:
    r, s = DerSequence().decode(signature)
    flipped = bytearray(signature)
    flipped[-1] ^= 0x01
    return {
        "empty": b"",
        "truncated": signature[:-1],
        "half": signature[: len(signature) // 2],
        "trailing byte": signature + b"\x00",
        "garbage": b"garbage" * 10,
        "random 72 bytes": random.Random(3).randbytes(72),
        "one bit": bytes(flipped),
        "raw r||s": r.to_bytes(32, "big") + s.to_bytes(32, "big"),
        "r = 0": der(0, s),
        "s = 0": der(r, 0),
        "r = n": der(sm2.N, s),
        "s = n + s": der(r, sm2.N + s),
        "swapped": der(s, r),
        "negative r": der(-r, s),
        "non-minimal r": raw_der(b"\0" + body(r), body(s)),
        "long-form length": b"\x30\x81" + signature[1:],
        "not a sequence": b"\x31" + signature[1:],
        "three integers": raw_der(body(r), body(s), b"\x01"),
        "empty integer": raw_der(b"", body(s)),
        "hex text": signature.hex(),
        "None": None,
    }


def test_malformed_signatures_fail_and_never_raise(signed):
    pair, message, signature = signed
    for name, bad in _bad_signatures(signature).items():
        assert sm2.verify(pair.public_key, message, bad) is False, name


def test_random_garbage_never_raises(signed):
    pair, message, _ = signed
    rng = random.Random(11)
    for _ in range(300):
        garbage = rng.randbytes(rng.randrange(0, 80))
        if rng.random() < 0.5 and len(garbage) > 2:  # make it look like a DER sequence
            garbage = b"\x30" + bytes([len(garbage) - 2]) + garbage[2:]
        assert sm2.verify(pair.public_key, message, garbage) is False


@pytest.mark.parametrize(
    "public",
    [
        "",
        "04",
        EXAMPLE_PUBLIC[2:],  # x || y without the prefix
        "02" + EXAMPLE_PUBLIC[2:],
        EXAMPLE_PUBLIC[:-2],
        EXAMPLE_PUBLIC + "00",
        EXAMPLE_PUBLIC[:-1] + "4",  # y changed: not on the curve
        "04" + "0" * 128,
        "04" + "zz" * 64,
        None,
        bytes.fromhex(EXAMPLE_PUBLIC),
        [EXAMPLE_PUBLIC],  # not even hashable
    ],
)
def test_malformed_public_keys_fail_and_never_raise(public):
    assert sm2.verify(public, EXAMPLE_MESSAGE, example_signature()) is False


def test_message_of_another_type_fails_verification(signed):
    pair, message, signature = signed
    assert sm2.verify(pair.public_key, message.decode(), signature) is False
    assert sm2.verify(pair.public_key, 16, signature) is False  # bytes(16) would be 16 zeros


def test_malformed_user_id_fails_verification_and_is_refused_by_sign(signed):
    pair, message, signature = signed
    assert sm2.verify(pair.public_key, message, signature, b"x" * 9000) is False
    assert sm2.verify(pair.public_key, message, signature, 12345) is False
    with pytest.raises(ValueError, match="user ID"):
        sm2.sign(pair.private_key, message, b"x" * 9000)


@pytest.mark.parametrize(
    ("private", "problem"),
    [
        ("", "64 hex digits"),
        ("12ab", "64 hex digits"),
        (EXAMPLE_PRIVATE + "00", "64 hex digits"),
        ("g" * 64, "64 hex digits"),
        (" " + EXAMPLE_PRIVATE[1:], "64 hex digits"),
        ("0" * 64, "out of range"),
        (f"{sm2.N - 1:064x}", "out of range"),
        (f"{sm2.N:064x}", "out of range"),
        ("f" * 64, "out of range"),
    ],
)
def test_malformed_private_key_is_refused_by_sign(private, problem):
    with pytest.raises(ValueError, match=problem):
        sm2.sign(private, b"m")
    with pytest.raises(ValueError, match=problem):
        sm2.public_key_of(private)


def test_largest_private_key_signs():
    private = f"{sm2.N - 2:064x}"
    public = sm2.public_key_of(private)
    assert public == pure_public(private)
    signature = sm2.sign(private, b"m")
    assert sm2.verify(public, b"m", signature)
    assert pure_verify(public, b"m", signature, sm2.DEFAULT_USER_ID)


def test_key_pair_repr_hides_the_private_key():
    pair = sm2.generate_keypair()
    assert pair.private_key not in repr(pair)
    assert pair.public_key in repr(pair)
    assert len(pair.private_key) == 64 and len(pair.public_key) == 130


# --- private keys at rest -----------------------------------------------------------------


def test_sealed_private_key_round_trips(kek):
    pair = sm2.generate_keypair()
    token = sm2.seal_private_key(pair.private_key)
    assert pair.private_key not in token
    assert sm2.seal_private_key(pair.private_key) != token  # random IV
    opened = sm2.open_private_key(token)
    assert opened == pair.private_key
    assert sm2.verify(pair.public_key, b"m", sm2.sign(opened, b"m"))
    assert sm2.open_private_key(sm2.seal_private_key(EXAMPLE_PRIVATE)) == EXAMPLE_PRIVATE.lower()


def test_sealing_refuses_a_malformed_private_key(kek):
    with pytest.raises(ValueError, match="64 hex digits"):
        sm2.seal_private_key("not a key")


def test_wrong_kek_fails_clearly(kek, settings):
    token = sm2.seal_private_key(sm2.generate_keypair().private_key)
    settings.YIWANG_SIGNING_KEK = OTHER_KEK
    with pytest.raises(sm2.SealedKeyError, match="sealed under another YIWANG_SIGNING_KEK"):
        sm2.open_private_key(token)


def test_tampered_or_foreign_tokens_fail_clearly(kek):
    token = sm2.seal_private_key(sm2.generate_keypair().private_key)
    raw = bytearray(base64.b64decode(token))
    raw[20] ^= 0x01
    with pytest.raises(sm2.SealedKeyError, match="does not open"):
        sm2.open_private_key(base64.b64encode(bytes(raw)).decode())
    with pytest.raises(sm2.SealedKeyError, match="not a sealed SM2 private key"):
        sm2.open_private_key("not base64 at all!")
    # A value written under the SM4 data key is not a sealed signing key, nor the reverse.
    with pytest.raises(sm2.SealedKeyError):
        sm2.open_private_key(core.encrypt(EXAMPLE_PRIVATE))
    with pytest.raises(core.DecryptionError):
        core.decrypt(token)


def test_kek_is_refused_when_missing_without_debug(settings):
    settings.YIWANG_SIGNING_KEK = ""
    settings.DEBUG = False
    with pytest.raises(core.MissingKeyError, match="YIWANG_SIGNING_KEK"):
        sm2.seal_private_key(EXAMPLE_PRIVATE)


def test_kek_is_derived_in_development(settings):
    settings.YIWANG_SIGNING_KEK = ""
    settings.DEBUG = True
    token = sm2.seal_private_key(EXAMPLE_PRIVATE)
    assert sm2.open_private_key(token) == EXAMPLE_PRIVATE.lower()
    derived = core.derived_key_hex(settings.SECRET_KEY, core.SIGNING_KEK)
    settings.YIWANG_SIGNING_KEK = derived
    settings.DEBUG = False
    assert sm2.open_private_key(token) == EXAMPLE_PRIVATE.lower()
