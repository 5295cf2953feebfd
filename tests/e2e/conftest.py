"""Browser journeys: Playwright driving Debian's Chromium against a live server with demo data."""

import json
import time
from pathlib import Path

import pyotp
import pytest

from conftest import chromium_path

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


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    from yiwang.demo.loader import load_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.YIWANG_SMS_LOG = str(tmp_path / "sms.log")
    load_demo()


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
