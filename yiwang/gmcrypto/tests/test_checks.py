"""The system check refusing missing, default, derived, malformed and shared keys."""

import pytest
from django.core import checks
from django.test import override_settings

from yiwang.gmcrypto import core

GOOD = {
    "SECRET_KEY": "q8Xr2Lk0vT7wZy4NpB1cGd6HfJ3mS9aEuR5tW0xYz2VbC4nM7kL1oP3iU8yT6rE0wQ",
    "YIWANG_SM4_KEY": "3f9a1c5e7b2d4068a9c1e3f5b7d90a2c",
    "YIWANG_BLIND_INDEX_KEY": "8e2b4d6f0a1c3e5978b9d1f3a5c7e902",
    "YIWANG_AUDIT_KEY": "c4e6a8b0d2f41357e9a1b3c5d7f90b1d",
    "YIWANG_SIGNING_KEK": "7a2c4e6b8d0f1a3c5e7b9d2f4a6c8e1b",
    "YIWANG_SM4_OLD_KEYS": "",
    "DEBUG": False,
}


def key_messages(**overrides):
    with override_settings(**{**GOOD, **overrides}):
        return [
            m for m in checks.run_checks(tags=[checks.Tags.security]) if m.id.startswith("gmcrypto")
        ]


def ids(messages):
    return sorted({m.id for m in messages})


def test_proper_keys_pass():
    assert key_messages() == []


def test_check_is_registered_for_every_command():
    """Not a deploy-only check: `migrate`, `run` and the rest stop on it."""
    with override_settings(**{**GOOD, "YIWANG_AUDIT_KEY": ""}):
        assert any(m.id == "gmcrypto.E001" for m in checks.run_checks())


@pytest.mark.parametrize(
    "name", ["YIWANG_SM4_KEY", "YIWANG_BLIND_INDEX_KEY", "YIWANG_AUDIT_KEY", "SECRET_KEY"]
)
def test_missing_key_is_an_error(name):
    messages = key_messages(**{name: ""})
    assert ids(messages) == ["gmcrypto.E001"]
    assert messages[0].level == checks.ERROR
    assert "yiwang setup" in messages[0].hint


def test_default_secret_key_is_refused():
    messages = key_messages(SECRET_KEY="insecure-dev-key-change-me-in-production-0123456789")
    assert "gmcrypto.E002" in ids(messages)


@pytest.mark.parametrize(
    "value", ["00112233445566778899aabbccddeeff", "0" * 32, "abababababababababababababababab"]
)
def test_default_or_trivial_hex_key_is_refused(value):
    assert ids(key_messages(YIWANG_SM4_KEY=value)) == ["gmcrypto.E002"]


@pytest.mark.parametrize(
    "name", ["YIWANG_SM4_KEY", "YIWANG_BLIND_INDEX_KEY", "YIWANG_AUDIT_KEY", "YIWANG_SIGNING_KEK"]
)
def test_key_derived_from_the_secret_key_is_refused(name):
    derived = core.derived_key_hex(GOOD["SECRET_KEY"], name)
    assert ids(key_messages(**{name: derived})) == ["gmcrypto.E003"]


def test_key_derived_from_the_old_default_secret_key_is_refused():
    derived = core.derived_key_hex(
        "insecure-dev-key-change-me-in-production-0123456789", "YIWANG_SM4_KEY"
    )
    assert ids(key_messages(YIWANG_SM4_KEY=derived)) == ["gmcrypto.E003"]


@pytest.mark.parametrize("value", ["abcd", "3f9a1c5e7b2d4068a9c1e3f5b7d90a2c00", "z" * 32])
def test_malformed_key_is_refused(value):
    messages = key_messages(YIWANG_AUDIT_KEY=value)
    assert ids(messages) == ["gmcrypto.E004"]
    assert "32 hex digits" in messages[0].msg


def test_short_secret_key_is_refused():
    assert ids(key_messages(SECRET_KEY="short-but-not-default")) == ["gmcrypto.E004"]


def test_equal_keys_are_refused():
    messages = key_messages(YIWANG_AUDIT_KEY=GOOD["YIWANG_SM4_KEY"].upper())
    assert ids(messages) == ["gmcrypto.E005"]
    assert "YIWANG_SM4_KEY" in messages[0].msg and "YIWANG_AUDIT_KEY" in messages[0].msg


def test_old_key_list_is_checked():
    assert ids(key_messages(YIWANG_SM4_OLD_KEYS="nothex")) == ["gmcrypto.E006"]
    assert ids(key_messages(YIWANG_SM4_OLD_KEYS=GOOD["YIWANG_SM4_KEY"])) == ["gmcrypto.E006"]
    assert key_messages(YIWANG_SM4_OLD_KEYS="5a1e0c7d93b2f4866d0e2c1ab7f39d40") == []


def test_debug_only_warns_and_derives():
    messages = key_messages(DEBUG=True, YIWANG_SM4_KEY="", YIWANG_AUDIT_KEY="")
    assert ids(messages) == ["gmcrypto.W001"]
    assert all(m.level == checks.WARNING for m in messages)
    with override_settings(**{**GOOD, "DEBUG": True, "YIWANG_SM4_KEY": ""}):
        assert core.decrypt(core.encrypt("13800135678")) == "13800135678"


def test_without_debug_no_key_is_derived():
    no_sm4 = override_settings(**{**GOOD, "YIWANG_SM4_KEY": ""})
    with no_sm4, pytest.raises(core.MissingKeyError, match="YIWANG_SM4_KEY"):
        core.encrypt("13800135678")
    no_index = override_settings(**{**GOOD, "YIWANG_BLIND_INDEX_KEY": ""})
    with no_index, pytest.raises(core.MissingKeyError, match="yiwang setup"):
        core.blind_index("13800135678", "phone")


def test_wsgi_entry_point_refuses_unsafe_keys():
    """gunicorn runs no system checks: the WSGI module calls this after loading."""
    from django.core.exceptions import ImproperlyConfigured

    from yiwang.gmcrypto.checks import refuse_unsafe_keys

    with override_settings(**GOOD):
        refuse_unsafe_keys()
    with (
        override_settings(**{**GOOD, "YIWANG_SM4_KEY": ""}),
        pytest.raises(ImproperlyConfigured, match=r"gmcrypto\.E001: YIWANG_SM4_KEY"),
    ):
        refuse_unsafe_keys()


def test_signing_kek_is_checked_like_the_other_keys():
    assert ids(key_messages(YIWANG_SIGNING_KEK="abcd")) == ["gmcrypto.E004"]
    assert ids(key_messages(YIWANG_SIGNING_KEK="0" * 32)) == ["gmcrypto.E002"]
    messages = key_messages(YIWANG_SIGNING_KEK=GOOD["YIWANG_SM4_KEY"])
    assert ids(messages) == ["gmcrypto.E005"]
    assert "YIWANG_SIGNING_KEK" in messages[0].msg


def test_unset_signing_kek_is_an_error_only_once_an_app_seals_signing_keys(monkeypatch):
    """Without an app that seals signing keys, a deployment without a KEK still starts."""
    installed: set[str] = set()
    monkeypatch.setattr("yiwang.gmcrypto.checks.apps.is_installed", lambda name: name in installed)
    assert key_messages(YIWANG_SIGNING_KEK="") == []
    installed.add("yiwang.seals")
    messages = key_messages(YIWANG_SIGNING_KEK="")
    assert ids(messages) == ["gmcrypto.E001"]
    assert "YIWANG_SIGNING_KEK" in messages[0].msg
    assert ids(key_messages(DEBUG=True, YIWANG_SIGNING_KEK="")) == ["gmcrypto.W001"]
