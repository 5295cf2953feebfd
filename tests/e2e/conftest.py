"""Browser journeys: Playwright driving Debian's Chromium against a live server with demo data."""

import json
from pathlib import Path

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


DEMO_PASSWORD = "Dabu@2026"  # the published demo password


def login(page, site, username, password=DEMO_PASSWORD):
    page.context.clear_cookies()
    page.goto(f"{site}/accounts/login/")
    page.locator("input[name='username']").first.fill(username)
    page.locator("input[name='password']").first.fill(password)
    page.locator("form:has(input[name='password']) button[type='submit']").first.click()
    page.wait_for_load_state()


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
