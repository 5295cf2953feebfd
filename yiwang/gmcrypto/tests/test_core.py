"""SM3/SM4 primitives, blind indexes, the encrypted field and screen masks."""

import base64

import pytest
from django.db import connection

from yiwang.gmcrypto import core
from yiwang.gmcrypto.masking import mask_id_number, mask_name, mask_phone

# GB/T 32905-2016 appendix A, example 1.
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
# Example 2: "abcd" repeated 16 times (512 bits).
SM3_ABCD16 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm3_standard_vectors():
    assert core.sm3_hex("abc") == SM3_ABC
    assert core.sm3_hex(b"abc") == SM3_ABC
    assert core.sm3_hex("abcd" * 16) == SM3_ABCD16


def test_hmac_sm3_is_keyed_and_deterministic():
    a = core.hmac_sm3_hex(b"k1", "data")
    assert a == core.hmac_sm3_hex(b"k1", b"data")
    assert a != core.hmac_sm3_hex(b"k2", "data")
    assert len(a) == 64


@pytest.mark.parametrize(
    "text", ["", "a", "李梅 441422199001011234", "x" * 1000, "补正材料\n第二行"]
)
def test_sm4_round_trip(text):
    token = core.encrypt(text)
    if len(text) > 8:
        assert text not in token
    assert core.decrypt(token) == text


# GB/T 32907-2016 appendix A, example 1: one block, key = plaintext.
SM4_KEY_BLOCK = bytes.fromhex("0123456789abcdeffedcba9876543210")
SM4_CIPHER_BLOCK = "681edf34d206965e86b3e94f536e4246"


def test_sm4_is_the_standard_cipher_and_matches_an_independent_implementation():
    """SM4 runs through GmSSL (gmssl-pyx): its first block is the standard's example, and
    values it writes open with ``cryptography``'s SM4 and the other way round."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = core.sm4_keys()[0]
    zero_iv = bytes(16)  # CBC with a zero IV: the first block is plain SM4
    body = base64.b64decode(core.encrypt_with(key, ""))
    assert len(body) == 2 + 16 + 16 + 32
    first = core._sm4_cbc_encrypt(SM4_KEY_BLOCK, zero_iv, SM4_KEY_BLOCK)[:16]
    assert first.hex() == SM4_CIPHER_BLOCK

    def theirs_encrypt(data: bytes, iv: bytes) -> bytes:
        padder = padding.PKCS7(128).padder()
        padded = padder.update(data) + padder.finalize()
        encryptor = Cipher(algorithms.SM4(key.enc), modes.CBC(iv)).encryptor()
        return encryptor.update(padded) + encryptor.finalize()

    for text in ["", "李梅 441422199001011234", "x" * 33]:
        token = core.encrypt(text)
        raw = base64.b64decode(token)
        iv, ct = raw[2:18], raw[18:-32]
        assert ct == theirs_encrypt(text.encode(), iv)
        # Written by cryptography in our format: opens with ours.
        body = bytes([2, key.id]) + iv + theirs_encrypt(text.encode(), iv)
        theirs = base64.b64encode(body + core.hmac_sm3(key.mac, body)).decode()
        assert core.decrypt(theirs) == text


def test_sm4_uses_random_iv():
    assert core.encrypt("13800135678") != core.encrypt("13800135678")


def test_tampered_ciphertext_raises():
    raw = bytearray(base64.b64decode(core.encrypt("13800135678")))
    raw[20] ^= 0x01  # flip one bit of the ciphertext body
    with pytest.raises(core.DecryptionError):
        core.decrypt(base64.b64encode(bytes(raw)).decode())


def test_tampered_tag_raises():
    raw = bytearray(base64.b64decode(core.encrypt("13800135678")))
    raw[-1] ^= 0x80
    with pytest.raises(core.DecryptionError):
        core.decrypt(base64.b64encode(bytes(raw)).decode())


def test_ciphertext_under_another_key_raises(settings):
    token = core.encrypt("secret")
    settings.YIWANG_SM4_KEY = "00112233445566778899aabbccddeeff"
    with pytest.raises(core.DecryptionError):
        core.decrypt(token)


def test_configured_key_must_be_16_bytes(settings):
    settings.YIWANG_SM4_KEY = "abcd"
    with pytest.raises(ValueError, match="16 bytes"):
        core.encrypt("x")


def test_blind_index_deterministic_and_case_insensitive_x():
    a = core.blind_index("11010519491231002X", "id")
    assert a == core.blind_index("11010519491231002X", "id")
    assert a == core.blind_index("11010519491231002x", "id")
    assert a == core.blind_index(" 11010519491231002x ", "id")
    assert len(a) == 64


def test_blind_index_separates_values_and_purposes():
    a = core.blind_index("11010519491231002X", "id")
    assert a != core.blind_index("440524188001010014", "id")
    assert a != core.blind_index("11010519491231002X", "phone")


def test_blind_index_depends_on_key(settings):
    a = core.blind_index("13800135678", "phone")
    settings.YIWANG_BLIND_INDEX_KEY = "ffeeddccbbaa99887766554433221100"
    assert core.blind_index("13800135678", "phone") != a


@pytest.mark.django_db
def test_many_values_at_once_are_the_same_as_one_at_a_time():
    texts = ["李梅 441422199001011234", "", "44142219900101123x", "李梅 441422199001011234"]
    sealed = core.encrypt_many(texts)
    assert [core.decrypt(token) for token in sealed] == texts
    assert sealed[0] != sealed[3]  # a fresh IV for every value
    assert len({base64.b64decode(token)[2:18] for token in sealed}) == len(texts)
    assert core.blind_indexes(texts, "id") == [core.blind_index(t, "id") for t in texts]
    assert core.encrypt_many([]) == [] and core.blind_indexes([], "id") == []


def test_encrypted_field_stores_ciphertext_and_decrypts_on_load(django_user_model):
    user = django_user_model.objects.create_user(
        username="lm", password="Dabu@2026.gov", id_number="11010519491231002X", phone="13800135678"
    )
    table = django_user_model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number, phone FROM {table} WHERE id = %s", [user.pk])  # noqa: S608
        raw_id, raw_phone = cursor.fetchone()
    assert "11010519491231002X" not in raw_id
    assert "13800135678" not in raw_phone
    assert core.decrypt(raw_id) == "11010519491231002X"
    assert core.decrypt(raw_phone) == "13800135678"

    loaded = django_user_model.objects.get(pk=user.pk)
    assert loaded.id_number == "11010519491231002X"
    assert loaded.phone == "13800135678"
    # Exact lookup goes through the blind index, case-insensitively for the X.
    assert (
        django_user_model.objects.get(
            id_number_index=core.blind_index("11010519491231002x", "id")
        ).pk
        == user.pk
    )


@pytest.mark.django_db
def test_encrypted_field_keeps_empty_values_empty(django_user_model):
    user = django_user_model.objects.create_user(username="empty", password="Dabu@2026.gov")
    table = django_user_model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phone FROM {table} WHERE id = %s", [user.pk])  # noqa: S608
        assert cursor.fetchone()[0] == ""
    assert django_user_model.objects.get(pk=user.pk).phone == ""


def test_mask_id_number():
    assert mask_id_number("44142219900101123X") == "441422********123X"
    assert mask_id_number("440524188001010014") == "440524********0014"
    assert mask_id_number("") == ""
    assert mask_id_number("12345") == "12***"


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""
    assert mask_phone("12345") == "*****"


def test_mask_name():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("李") == "李"
    assert mask_name("") == ""
