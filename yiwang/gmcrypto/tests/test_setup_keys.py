"""`yiwang setup` generating keys into the secrets file, and settings reading that file."""

import os
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError

from yiwang.gmcrypto import envfile

NAMES = (
    "YIWANG_SECRET_KEY",
    "YIWANG_SM4_KEY",
    "YIWANG_BLIND_INDEX_KEY",
    "YIWANG_AUDIT_KEY",
    "YIWANG_SIGNING_KEK",
)
pytestmark = pytest.mark.django_db  # setup looks whether the database already holds data


@pytest.fixture
def fresh(tmp_path, settings, monkeypatch):
    """A machine with no key anywhere; the environment is restored afterwards."""
    for name in NAMES:
        monkeypatch.setenv(name, "placeholder")
        monkeypatch.delenv(name)
        if name != "YIWANG_SECRET_KEY":
            setattr(settings, name, "")
    # What settings fall back to without YIWANG_SECRET_KEY.
    settings.SECRET_KEY = "insecure-dev-key-change-me-in-production-0123456789"
    settings.YIWANG_SECRETS_FILE = tmp_path / "var" / "secrets.env"
    return settings.YIWANG_SECRETS_FILE


def keys_only() -> str:
    out = StringIO()
    call_command("setup", "--keys-only", stdout=out)
    return out.getvalue()


def test_setup_generates_every_key_once_into_a_private_file(fresh):
    keys_only()
    values = envfile.read_env_file(fresh)
    assert set(values) == set(NAMES)
    assert len(values["YIWANG_SECRET_KEY"]) >= 50
    for name in NAMES[1:]:
        assert len(bytes.fromhex(values[name])) == 16
    assert len(set(values.values())) == len(NAMES)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    # This process uses them at once (migrate and demo follow in the same command).
    assert values["YIWANG_SM4_KEY"] == django_settings.YIWANG_SM4_KEY
    assert os.environ["YIWANG_AUDIT_KEY"] == values["YIWANG_AUDIT_KEY"]


def test_setup_never_overwrites_the_file(fresh, settings):
    keys_only()
    before = fresh.read_text()
    keys_only()  # keys now configured: nothing written
    assert fresh.read_text() == before
    # A key missing later (e.g. a new kind) is appended; existing lines stay as they were.
    settings.YIWANG_AUDIT_KEY = ""
    keys_only()
    after = fresh.read_text()
    assert after.startswith(before)
    assert after.count("YIWANG_AUDIT_KEY=") == 2
    assert after.count("YIWANG_SM4_KEY=") == 1


def test_keys_from_the_environment_are_not_written(fresh, settings, monkeypatch):
    monkeypatch.setenv("YIWANG_SM4_KEY", "3f9a1c5e7b2d4068a9c1e3f5b7d90a2c")
    settings.YIWANG_SM4_KEY = "3f9a1c5e7b2d4068a9c1e3f5b7d90a2c"
    keys_only()
    assert "YIWANG_SM4_KEY" not in envfile.read_env_file(fresh)
    assert settings.YIWANG_SM4_KEY == "3f9a1c5e7b2d4068a9c1e3f5b7d90a2c"


def test_setup_refuses_new_data_keys_for_a_database_with_data(fresh, django_user_model):
    django_user_model.objects.create_user(username="someone", password="Dabu@2026.gov")
    with pytest.raises(CommandError, match="YIWANG_BLIND_INDEX_KEY, YIWANG_SM4_KEY"):
        keys_only()
    assert not fresh.exists()


def _settings_value(tmp_path: Path, name: str, **env) -> str:
    code = f"import yiwang.settings as s; print(s.{name})"
    environ = {k: v for k, v in os.environ.items() if k not in NAMES}
    environ.update(YIWANG_VAR_DIR=str(tmp_path / "var"), **env)
    done = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_settings_read_the_file_and_the_environment_wins(tmp_path):
    path = tmp_path / "var" / "secrets.env"
    envfile.append_keys(path, list(NAMES))
    values = envfile.read_env_file(path)
    assert _settings_value(tmp_path, "YIWANG_SM4_KEY") == values["YIWANG_SM4_KEY"]
    assert _settings_value(tmp_path, "SECRET_KEY") == values["YIWANG_SECRET_KEY"]
    override = "8e2b4d6f0a1c3e5978b9d1f3a5c7e902"
    assert _settings_value(tmp_path, "YIWANG_SM4_KEY", YIWANG_SM4_KEY=override) == override


def test_env_file_parsing(tmp_path):
    path = tmp_path / "x.env"
    path.write_text("# comment\n\nexport A=1\nB = 'two'\nC=\"3\"\nnot a line\n")
    assert envfile.read_env_file(path) == {"A": "1", "B": "two", "C": "3"}
    environ = {"A": "from-env"}
    envfile.load_env_file(path, environ)
    assert environ == {"A": "from-env", "B": "two", "C": "3"}
