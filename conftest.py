"""Suite-wide test configuration.

* Browser journeys (tests/e2e, marker ``browser``) drive Debian's Chromium with
  Playwright. Where Chromium is missing they are skipped, loudly; CI sets
  YIWANG_NO_SKIPS=1 so that any skipped test fails the run.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make there are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("YIWANG_CHROMIUM", "/usr/bin/chromium")
INSTALL_HINT = (
    "Chromium not found at %s: browser journeys are SKIPPED. Install it with "
    "`sudo apt-get install chromium fonts-noto-cjk` (Debian/Ubuntu) or set YIWANG_CHROMIUM."
)


def chromium_path() -> str | None:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_report_header(config):
    path = chromium_path()
    return f"chromium: {path}" if path else "chromium: MISSING — " + INSTALL_HINT % CHROMIUM


def pytest_collection_modifyitems(config, items):
    if chromium_path():
        return
    marker = pytest.mark.skip(reason=INSTALL_HINT % CHROMIUM)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(marker)


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("YIWANG_NO_SKIPS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        reporter.write_line(
            f"YIWANG_NO_SKIPS: {skipped} test(s) skipped; failing the run.", red=True
        )
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not chromium_path():
        terminalreporter.write_sep("!", INSTALL_HINT % CHROMIUM, red=True)


def forget_caches() -> None:
    """Empty the cache (Redis in CI is shared across runs) and drop the process copies of
    reference data (yiwang.web.memo, yiwang.search.freshness)."""
    from django.core.cache import cache

    from yiwang.datahub.hub.schema import version_columns
    from yiwang.exchange import rows as exchange_rows
    from yiwang.search.freshness import StampedMemo
    from yiwang.web.memo import SharedMemo

    cache.clear()
    SharedMemo.drop_all_copies()
    StampedMemo.drop_all_copies()
    # Published versions are read once per process; a test database reuses their ids.
    version_columns.cache_clear()
    exchange_rows.forget_versions()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's, noting the tables the migrations made: fixtures then drop the tables
    made at run time (the data hub's), which Django's flush leaves (yiwang.testing.snapshot)."""
    from yiwang.testing.snapshot import remember_migrated_tables

    with django_db_blocker.unblock():
        remember_migrated_tables()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache and no process copies of reference data."""
    forget_caches()
    yield
