"""Browser journeys: Playwright driving Debian's Chromium against a live server with demo data."""

import json
import time
from pathlib import Path

import pyotp
import pytest

from conftest import chromium_path, forget_caches

VENDOR = Path(__file__).resolve().parents[2] / "yiwang/web/static/vendor"
AXE = next(VENDOR.glob("axe-core@*/axe.min.js")).relative_to(VENDOR).as_posix()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


def _load_demo_afresh() -> None:
    from django.core.management import call_command

    from yiwang.demo.loader import load_demo
    from yiwang.testing.snapshot import drop_tables_since_migrate

    # What ends every transactional test (pytest-django's flush), so that the data set is the
    # same whether or not a transactional test ran before: without it the rows of the data
    # migrations would be in the first journey's snapshot, and so in every journey's. The
    # hub tables a previous load made outlive a flush: the demo would fail to make them again.
    drop_tables_since_migrate()
    call_command("flush", verbosity=0, interactive=False)
    load_demo()


@pytest.fixture(scope="package")
def demo_data(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo county: loaded by the first journey, restored from a snapshot in the next
    (loading it through the actions takes 5-15 s; a restore well under one)."""
    from yiwang.testing.snapshot import Reusable, drop_tables_since_migrate

    reusable = Reusable(_load_demo_afresh, tmp_path_factory.mktemp("demo-snapshot"))
    yield reusable
    with django_db_blocker.unblock():
        reusable.discard()
        # The demo's hub tables, left by the last journey's flush: gone before the next tests.
        drop_tables_since_migrate()


@pytest.fixture
def demo(transactional_db, settings, tmp_path, demo_data):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.YIWANG_SMS_LOG = str(tmp_path / "sms.log")
    # load_demo writes the grid's photos and the hotline's text messages: saved and restored.
    demo_data.apply({"media": settings.MEDIA_ROOT, "sms.log": tmp_path / "sms.log"})
    forget_caches()  # the cache and process memos may describe the rows before the restore


@pytest.fixture
def site(live_server, demo, settings):
    settings.YIWANG_PUBLIC_URL = live_server.url
    return live_server.url


DEMO_PASSWORD = "Dabu@2026.gov"  # the published demo password


# Authenticators set up by ``login`` in this run: username → secret and last time step used.
AUTHENTICATORS: dict[str, dict] = {}


def _totp_code(username: str) -> str:
    """A code for a time step not used yet (the platform refuses replays), waiting if needed."""
    entry = AUTHENTICATORS[username]
    while True:
        now = int(time.time()) // 30
        step = max(now, entry["step"] + 1)
        if step <= now + 1:  # the platform accepts one step of drift
            break
        time.sleep(1)
    entry["step"] = step
    return pyotp.TOTP(entry["secret"]).generate_otp(step)


def _second_factor(page, username: str) -> None:
    """Complete the set-up (first login of admins, authority, auditors) or the code step."""
    if "/second-factor/set-up/" in page.url:
        secret = "".join(page.get_by_test_id("mfa-secret").inner_text().split())
        AUTHENTICATORS[username] = {"secret": secret, "step": int(time.time()) // 30 - 1}
        form = page.get_by_test_id("mfa-enrol-form")
        form.locator("input[name='code']").fill(_totp_code(username))
        form.locator("button[type='submit']").click()
        page.wait_for_load_state()
        page.get_by_test_id("mfa-continue").click()
        page.wait_for_load_state()
    elif "/login/second-factor/" in page.url:
        form = page.get_by_test_id("mfa-verify-form")
        form.locator("input[name='code']").fill(_totp_code(username))
        form.locator("button[type='submit']").click()
        page.wait_for_load_state()


def login(page, site, username, password=DEMO_PASSWORD):
    # Leave the current page first: its late requests (lazy images, htmx loads) answered after
    # the cookies are cleared would set the previous user's session cookie again
    # (SESSION_SAVE_EVERY_REQUEST), and the login page would redirect that user away.
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(f"{site}/accounts/login/")
    page.locator("input[name='username']").first.fill(username)
    page.locator("input[name='password']").first.fill(password)
    page.locator("form:has(input[name='password']) button[type='submit']").first.click()
    page.wait_for_load_state()
    _second_factor(page, username)


def logout(page, site):
    page.context.clear_cookies()


def assert_accessible(page):
    """axe-core (vendored): no serious or critical violations."""
    # Loaded from our own static files: the CSP forbids inline scripts, even injected ones.
    origin = page.evaluate("location.origin")
    page.add_script_tag(url=f"{origin}/static/vendor/{AXE}")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, json.dumps(
        [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"][:5]],
            }
            for v in bad
        ],
        ensure_ascii=False,
        indent=1,
    )
