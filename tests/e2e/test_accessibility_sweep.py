"""Accessibility sweep: every page each demo role's navigation leads to, on desktop and phone.

For each role the sweep logs in once, reads every link of ``#main-nav`` (visible or not, so
pages inside collapsed menus count), visits those pages and, one level further, the first
link from their main content to each other kind of page (the first case, ticket, event or
article of a list, a management form, ...). Each page is checked with axe-core at
1366×900 and at 390×844; no serious or critical violation is allowed. Pages are discovered
from the navigation rather than listed here, so a new page is swept as soon as it is linked.
The system administrator's nav also leads to Django's admin site: its index, the list and add
form of each model the index links to and the first object of each list are swept on desktop,
the index and one list on a phone.

The demo county is loaded once for the module (loading it per role would take minutes) and
committed, because the live server may read it through another connection; the tables are
flushed when the module ends, as ``transactional_db`` does after each test.
"""

from __future__ import annotations

import re
import threading
import time
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import expect

from .conftest import assert_accessible, login

# ``django_db`` makes pytest-django create the test database; each test runs in a
# transaction of its own, rolled back, over the module's committed demo.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# Demo login of each role (yiwang/demo/people.py); None: not logged in.
ROLES = {
    "anonymous": None,
    "citizen": "citizen",
    "enterprise": "enterprise",
    "window": "window_county",
    "reviewer": "reviewer_scj",
    "approver": "approver_scj",
    "dept_admin": "admin_scj",
    "authority": "authority",
    "auditor": "auditor",
    "agent": "agent_12345",
    "dispatcher": "dispatcher_12345",
    "handler": "handler_scj",
    "grid_worker": "grid_huliao",
    "leader": "leader",
    "admin": "admin",
}

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}

# Routes that are not pages to sweep: files, exports, data feeds, links that act, and
# Django's admin site, which only the system administrator reaches and ``_sweep_admin``
# walks by its own index.
NOT_PAGES = re.compile(
    r"^admin:|export|download|photo|pdf|reveal|logout|_data$|webhook|captcha|favicon|healthz"
    r"|^open311:|^api:"
)

# The portal pages every visitor sees are swept for the public roles only: staff see the
# same pages under the header that is already checked on each of their own pages.
PUBLIC_ROLES = {"anonymous", "citizen", "enterprise"}
PORTAL_ROUTES = {
    "catalog:index",
    "catalog:detail",
    "knowledge:index",
    "knowledge:detail",
    "knowledge:glossary",
}


def _route(url: str, origin: str) -> str | None:
    """The URL name of a same-origin page link, or None for anything not to be swept."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin or "." in parts.path.rsplit("/", 1)[-1]:
        return None
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        return None
    return None if NOT_PAGES.search(name) else name


def _links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "links => links.map(a => a.href)")
    return [href.split("#", 1)[0] for href in hrefs]


def _check(page, url: str, failures: dict[str, str], where: str) -> bool:
    """Open ``url`` and record an error status or axe's serious/critical violations."""
    response = page.goto(url)
    if response is None or response.status >= 400:
        failures[f"{url} @{where}"] = f"HTTP {response.status if response else '(none)'}"
        return False
    if "text/html" not in response.headers.get("content-type", ""):
        return False
    try:
        assert_accessible(page)
    except AssertionError as error:
        # the violations as JSON, without pytest's repetition of the assert
        failures[f"{url} @{where}"] = str(error).split("\nassert ", 1)[0]
    return True


# Pages reached one level below the nav, by kind of page (route) and audience: the first
# role to reach a kind sweeps it, later roles skip it (management forms and details look
# the same to every role allowed to open them). Each role's own nav pages are always swept.
SWEPT_BELOW_NAV: dict[tuple[str, bool], str] = {}


def _sweep_desktop(page, site: str, role: str, failures: dict[str, str]) -> list[str]:
    """Check the nav's pages and one page of each kind linked from them (from their main
    content or the header's other links: the profile, logging in); the pages checked."""
    public = role in PUBLIC_ROLES
    skip = set() if public else PORTAL_ROUTES
    page.goto(f"{site}/")
    nav = [h for h in _links(page, "#main-nav a[href]") if _route(h, site) not in skip | {None}]
    nav = list(dict.fromkeys(nav))
    routes = {_route(url, site) for url in nav} | skip
    checked = []
    for url in nav:
        checked.append(url)
        if not _check(page, url, failures, "desktop"):
            continue
        for href in _links(page, "main a[href], header a[href]"):
            route = _route(href, site)
            if route is None or route in routes or (route, public) in SWEPT_BELOW_NAV:
                continue
            routes.add(route)
            SWEPT_BELOW_NAV[route, public] = role
            checked.append(href)
            _check(page, href, failures, f"desktop, linked from {url}")
    return checked


def _admin_route(url: str, origin: str) -> str:
    """The URL name of a link into Django's admin site, or ``""`` for any other link."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return ""
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        return ""
    return name if name.startswith("admin:") else ""


def _sweep_admin(page, site: str, failures: dict[str, str]) -> list[str]:
    """Check the admin site the navigation leads to: its index, then the list and the add
    form of each model it links to and the first object of each list, on desktop. Returns
    the pages to check again on a phone: the index and one list (every list has the same
    layout, and the admin's own forms are only filled in on a desktop)."""
    page.goto(f"{site}/")
    index = next(
        href
        for href in _links(page, "#main-nav a[href]")
        if _admin_route(href, site) == "admin:index"
    )
    _check(page, index, failures, "desktop")
    models = [
        href
        for href in dict.fromkeys(_links(page, "#content-main a[href]"))
        if re.search(r"_(changelist|add)$", _admin_route(href, site))
    ]
    lists = [url for url in models if _admin_route(url, site).endswith("_changelist")]
    assert len(lists) >= 10, f"the admin index links to too few models: {models}"
    for url in models:
        if not _check(page, url, failures, "desktop") or url not in lists:
            continue
        first = _links(page, "#result_list tbody tr:first-child a[href]")[:1]
        for href in first:
            if _admin_route(href, site).endswith("_change"):
                _check(page, href, failures, f"desktop, first of {url}")
    return [index, lists[0]]


def _wait_for_requests_to_end(timeout: float = 5.0) -> None:
    """Let the server's request threads finish (the browser closes its keep-alive
    connections after its contexts close): one that ends after the server stopped sharing
    the SQLite connection fails to close it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
        "process_request_thread" in t.name for t in threading.enumerate()
    ):
        time.sleep(0.05)


@pytest.fixture(scope="module")
def sweep_site(django_db_setup, django_db_blocker, tmp_path_factory):
    """A live server over the demo county with a few submitted cases, for the module."""
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    from tests.robustness.conftest import _cases
    from yiwang.accounts.models import User
    from yiwang.demo.loader import load_demo

    media = tmp_path_factory.mktemp("sweep-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, YIWANG_SMS_LOG=str(media / "sms.log")),
    ):
        # never flush a real database: only the test database pytest-django set up
        name = str(connection.settings_dict["NAME"])
        in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
        assert in_memory or name.startswith("test_"), name
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            load_demo()
            _cases(User.objects.get(username="citizen"))
            with override_settings(YIWANG_PUBLIC_URL=server.url):
                yield server.url
        finally:
            _wait_for_requests_to_end()
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", verbosity=0, interactive=False)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_is_accessible(browser, sweep_site, role):
    failures: dict[str, str] = {}
    desktop = browser.new_context(viewport=VIEWPORTS["desktop"])
    try:
        page = desktop.new_page()
        if ROLES[role]:
            login(page, sweep_site, ROLES[role])
        pages = _sweep_desktop(page, sweep_site, role, failures)
        if role == "admin":
            pages += _sweep_admin(page, sweep_site, failures)
        session = desktop.storage_state()
    finally:
        desktop.close()
    assert len(pages) >= 3, f"the navigation of {role} leads to too few pages: {pages}"
    # The phone reuses the desktop's session: logging in again would wait for a new TOTP step.
    phone = browser.new_context(viewport=VIEWPORTS["phone"], storage_state=session)
    try:
        page = phone.new_page()
        for url in pages:
            _check(page, url, failures, "phone")
    finally:
        phone.close()
    assert not failures, "\n\n".join(f"{where}:\n{what}" for where, what in failures.items())


def test_admin_controls_are_named_by_their_labels(browser, sweep_site):
    """The controls Django's admin leaves unnamed get their label's name (accounts/admin.js):
    tabular inline fields their column's header, also in a row added with "Add another";
    autocomplete comboboxes their field's label; the filter boxes of filter_horizontal the
    description of their search icon."""
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    try:
        page = context.new_page()
        login(page, sweep_site, "admin")
        page.goto(f"{sweep_site}/admin/orgs/hall/add/")
        windows = page.locator("#windows-group")
        number = windows.locator("th.column-number").inner_text().strip()
        name = windows.locator("th.column-name").inner_text().strip()
        expect(page.locator("#id_windows-0-number")).to_have_accessible_name(number)
        expect(page.locator("#id_windows-0-name")).to_have_accessible_name(name)
        windows.locator(".add-row a").click()
        expect(page.locator("#id_windows-1-number")).to_have_accessible_name(number)
        label = page.locator("label[for='id_region']").inner_text().strip()
        combobox = page.locator("#id_region + .select2 [role='combobox']")
        expect(combobox).to_have_accessible_name(re.compile("^" + re.escape(label)))

        page.goto(f"{sweep_site}/admin/auth/group/add/")
        icon = page.locator("label[for='id_permissions_input'] .search-label-icon")
        expect(page.locator("#id_permissions_input")).to_have_accessible_name(
            icon.get_attribute("aria-label")
        )

        # a staff account's posts and an enterprise's agents: selects, checkboxes, the
        # raw-id inputs and the "Delete?" checkbox of the rows already saved
        for changelist in ("accounts/user/?q=admin_scj", "accounts/enterprise/"):
            page.goto(f"{sweep_site}/admin/{changelist}")
            page.goto(
                page.locator("#result_list tbody tr:first-child th a").evaluate("a => a.href")
            )
            controls = page.locator(
                ".tabular tbody tr.has_original td :is(input, select):not([type=hidden])"
            )
            assert controls.count() >= 2, changelist
            for control in controls.all():
                expect(control).to_have_accessible_name(re.compile(r"\S"))
    finally:
        context.close()


def test_wide_tables_are_focusable_named_regions(browser, sweep_site):
    """On a phone the hotline figures' tables scroll sideways: each wrapper takes focus and
    is a region named after its table, also when htmx swaps a table in later."""
    context = browser.new_context(viewport=VIEWPORTS["phone"])
    try:
        page = context.new_page()
        login(page, sweep_site, "dispatcher_12345")
        page.goto(f"{sweep_site}/hotline/stats/")
        wraps = page.eval_on_selector_all(
            ".table-wrap",
            """els => els.map(el => ({tabindex: el.getAttribute('tabindex'),
                role: el.getAttribute('role'), label: el.getAttribute('aria-label') || '',
                labelledby: el.getAttribute('aria-labelledby'),
                scrolls: el.scrollWidth > el.clientWidth}))""",
        )
        assert any(w["scrolls"] for w in wraps), wraps
        for wrap in wraps:
            assert wrap["tabindex"] == "0" and wrap["role"] == "region", wrap
            assert wrap["label"].strip() or wrap["labelledby"], wrap
        label = page.evaluate(
            """() => {
                const box = document.createElement('div');
                document.querySelector('main').append(box);
                htmx.swap(box, '<h2>Late table</h2><div class="table-wrap" id="late">' +
                    '<table class="table"><tr><td>1</td></tr></table></div>',
                    {swapStyle: 'innerHTML'});
                const late = document.getElementById('late');
                return [late.getAttribute('tabindex'), late.getAttribute('aria-label')];
            }"""
        )
        assert label == ["0", "Late table"]
    finally:
        context.close()


def test_faq_search_results_use_the_page_width(browser, sweep_site):
    """The results take the wide column on desktop and the whole width, first, on a phone."""
    for viewport in VIEWPORTS.values():
        context = browser.new_context(viewport=viewport)
        try:
            page = context.new_page()
            page.goto(f"{sweep_site}/faq/?q=社保卡丢了怎么补办")
            content = page.locator("main .main-inner").bounding_box()
            results = page.get_by_test_id("faq-results").bounding_box()
            categories = page.get_by_test_id("faq-categories").bounding_box()
            assert page.get_by_test_id("faq-results").locator(".faq-card").count() >= 1
            if viewport["width"] > 1000:
                assert results["width"] >= 0.6 * content["width"], (results, content)
                assert categories["x"] > results["x"] + results["width"] - 1
            else:
                assert results["width"] >= 0.85 * content["width"], (results, content)
                assert categories["y"] >= results["y"] + results["height"] - 1
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        finally:
            context.close()
