"""`yiwang run`: gunicorn with threads (not the development server), the worker beside it, both
supervised; the address argument and the public-URL warning."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from django.db import connection

from yiwang.site.management.commands.run import children
from yiwang.web.server import Address, gunicorn_argv, parse_addrport, public_url_mismatch

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("value", "bind"),
    [
        ("127.0.0.1:8000", "127.0.0.1:8000"),
        ("8001", "127.0.0.1:8001"),
        ("0.0.0.0:80", "0.0.0.0:80"),
        ("[::1]:8000", "[::1]:8000"),
        ("localhost:9000", "localhost:9000"),
    ],
)
def test_addrport_becomes_gunicorn_bind(value, bind):
    assert parse_addrport(value).bind == bind


@pytest.mark.parametrize("value", ["abc", "127.0.0.1:", "1.2.3.4:70000", "[zz::1]:80", ":0"])
def test_bad_addrport_is_refused_with_a_clear_error(value):
    with pytest.raises(CommandError, match="address"):
        parse_addrport(value)


def test_gunicorn_command_uses_threads_and_the_project_wsgi(settings):
    argv = gunicorn_argv(
        Address("0.0.0.0", 8080),  # noqa: S104
        workers=3,
        threads=5,
    )
    assert argv[:4] == [sys.executable, "-m", "gunicorn", "yiwang.wsgi:application"]
    options = dict(zip(argv[4::2], argv[5::2], strict=False))
    assert options["--bind"] == "0.0.0.0:8080"
    assert options["--workers"] == "3"
    assert options["--threads"] == "5"
    assert options["--worker-class"] == "gthread"
    assert "--no-control-socket" in argv
    assert "runserver" not in argv


def test_run_supervises_web_from_settings_and_the_worker(settings):
    settings.YIWANG_WEB_WORKERS = 2
    settings.YIWANG_WEB_THREADS = 4
    web, worker = children("0.0.0.0:8123")
    assert web.name == "web"
    assert web.argv[web.argv.index("--bind") + 1] == "0.0.0.0:8123"
    assert web.argv[web.argv.index("--threads") + 1] == "4"
    assert worker.name == "worker"
    assert worker.argv[1:] == ["-m", "yiwang.cli", "worker"]


@pytest.mark.parametrize(
    ("public", "addrport", "warns"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000", False),
        ("http://localhost:8000", "127.0.0.1:8000", False),
        ("http://10.1.2.3:8000", "0.0.0.0:8000", False),
        ("https://zwfw.dabu.gov.cn", "127.0.0.1:8001", False),  # behind the proxy
        ("http://127.0.0.1:8000", "127.0.0.1:9000", True),
        ("http://10.1.2.3", "127.0.0.1:8000", True),
    ],
)
def test_public_url_mismatch_warning(public, addrport, warns):
    assert (public_url_mismatch(public, parse_addrport(addrport)) is not None) is warns


# --- the real thing, in a subprocess --------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except (OSError, sqlite3.Error):
            value = None
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _migrated_database(path: Path, env: dict, yiwang: list[str]) -> None:
    """A file copy of the (already migrated) SQLite test database, or a fresh migrate."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        return
    env.pop("DATABASE_URL", None)
    subprocess.run([*yiwang, "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=300)


@pytest.mark.django_db(transaction=True)  # the SQLite copy needs no open transaction
def test_yiwang_run_serves_with_gunicorn_and_restarts_a_killed_worker(tmp_path):
    database = tmp_path / "run.sqlite3"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("YIWANG_") and k != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="yiwang.settings",
        YIWANG_SQLITE_PATH=str(database),
        YIWANG_VAR_DIR=str(tmp_path / "var"),
        YIWANG_SECRETS_FILE=str(tmp_path / "secrets.env"),
        YIWANG_SECRET_KEY=secrets.token_urlsafe(50),
        YIWANG_SM4_KEY=secrets.token_hex(16),
        YIWANG_BLIND_INDEX_KEY=secrets.token_hex(16),
        YIWANG_AUDIT_KEY=secrets.token_hex(16),
        YIWANG_SIGNING_KEK=secrets.token_hex(16),
        YIWANG_WEB_WORKERS="1",
        YIWANG_WEB_THREADS="2",
        YIWANG_WORKER_HEARTBEAT_SECONDS="1",
    )
    yiwang = [sys.executable, "-m", "yiwang.cli"]
    _migrated_database(database, env, yiwang)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env["YIWANG_PUBLIC_URL"] = base
    run = subprocess.Popen(
        [*yiwang, "run", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def worker_pids() -> list[int]:
        with sqlite3.connect(database) as db:
            return [pid for (pid,) in db.execute("SELECT pid FROM web_workerheartbeat")]

    try:
        _, headers, body = _wait_for(
            lambda: (r := _get(f"{base}/healthz")) and r[0] == 200 and r, 120, "healthz 200"
        )
        assert headers["Server"].startswith("gunicorn")
        assert b'"alive"' in body
        css_status, css_headers, _ = _get(f"{base}/static/ninja/swagger-ui.css")
        assert css_status == 200  # WhiteNoise, DEBUG off, no collectstatic
        assert "nosniff" in css_headers["X-Content-Type-Options"]

        first = worker_pids()[0]
        os.kill(first, signal.SIGKILL)
        new = _wait_for(lambda: set(worker_pids()) - {first}, 120, "a restarted worker")
        assert all(pid != first for pid in new)
    finally:
        run.send_signal(signal.SIGTERM)
        try:
            output = run.communicate(timeout=30)[0].decode()
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            output = run.communicate()[0].decode()
    assert run.returncode == 0, output
    assert "worker exited with code -9" in output
    assert "WSGIServer" not in output
    assert "Shutting down: Master" in output  # gunicorn stopped with it
