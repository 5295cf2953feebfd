"""The staff top bar: grouped menus for a member of staff with many posts, on a laptop and a phone."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import DEMO_PASSWORD, assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALL_ROLES = ["window", "agent", "dispatcher", "handler", "leader", "authority", "auditor"]


@pytest.fixture
def many_posts(site):
    """A county officer holding most posts at once: the case that used to wrap the bar."""
    from yiwang.accounts.actions import SYSTEM, create_staff
    from yiwang.demo.loader import departments_by_key
    from yiwang.regions.models import Region

    county = Region.objects.get(code="441422")
    dept = departments_by_key()["sjj"]
    create_staff(
        actor=SYSTEM,
        username="many_posts",
        password=DEMO_PASSWORD,
        real_name="多岗位",
        posts=[{"role": r, "department": dept, "region": county} for r in ALL_ROLES]
        + [{"role": "grid_worker", "department": departments_by_key()["huliao"], "region": county}],
    )
    return "many_posts"


def _nav_row_count(page: Page) -> int:
    """How many distinct rows the top-level items of the bar occupy."""
    return page.evaluate(
        """() => new Set(Array.from(document.querySelectorAll('#main-nav > a, #main-nav > .nav-group'))
              .map(e => Math.round(e.getBoundingClientRect().top))).size"""
    )


def test_grouped_menus_at_1366(page: Page, site, many_posts):
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, site, many_posts)
    page.goto(site + "/cases/workbench/")
    nav = page.locator("#main-nav")
    groups = nav.locator("[data-nav-group]")
    assert groups.evaluate_all("gs => gs.map(g => g.dataset.navGroup)") == [
        "work",
        "hotline",
        "city",
        "catalogue",
        "system",
    ]
    # one row, no character-by-character wrapping, every label on one line
    assert _nav_row_count(page) == 1
    heights = nav.locator(".nav-group-toggle, #main-nav > a").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert max(heights) < 60
    # menus are closed until asked for; the current page's group is marked
    expect(nav.locator("#nav-menu-hotline")).to_be_hidden()
    expect(nav.locator("[data-nav-group=work]")).to_have_class("nav-group is-current")
    assert_accessible(page)

    # open a menu with the mouse, see its links, Esc closes it and returns focus
    hotline = nav.locator("[data-nav-group=hotline] .nav-group-toggle")
    hotline.click()
    expect(hotline).to_have_attribute("aria-expanded", "true")
    menu = nav.locator("#nav-menu-hotline")
    expect(menu).to_be_visible()
    assert menu.locator("a").evaluate_all("as => as.map(a => a.dataset.navLink)") == [
        "call",
        "callbacks",
        "dispatch",
        "tickets",
        "figures",
    ]
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(hotline).to_have_attribute("aria-expanded", "false")
    expect(hotline).to_be_focused()

    # keyboard only: Enter opens, arrows move, Enter follows the link
    city = nav.locator("[data-nav-group=city] .nav-group-toggle")
    city.focus()
    page.keyboard.press("Enter")
    expect(nav.locator("#nav-menu-city")).to_be_visible()
    expect(nav.locator("#nav-menu-hotline")).to_be_hidden()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(nav.locator("#nav-menu-city a[data-nav-link=events]")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/grid/events/")
    expect(page.locator("#main-nav [data-nav-group=city]")).to_have_class("nav-group is-current")
    expect(page.locator("#nav-menu-city a[data-nav-link=events]")).to_have_attribute(
        "aria-current", "page"
    )
    # a click elsewhere closes an open menu
    page.locator("#main-nav [data-nav-group=system] .nav-group-toggle").click()
    expect(page.locator("#nav-menu-system")).to_be_visible()
    page.locator("main h1").click()
    expect(page.locator("#nav-menu-system")).to_be_hidden()


def test_grouped_menus_on_a_phone(page: Page, site, many_posts):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, site, many_posts)
    page.goto(site + "/cases/workbench/")
    toggle = page.locator("[data-nav-toggle]")
    expect(toggle).to_be_visible()
    expect(page.locator("#main-nav")).to_be_hidden()
    toggle.click()
    expect(page.locator("#main-nav")).to_be_visible()
    assert_accessible(page)
    # the groups are stacked, one under the other
    tops = page.locator("#main-nav > .nav-group").evaluate_all(
        "gs => gs.map(g => g.getBoundingClientRect().left)"
    )
    assert len({round(t) for t in tops}) == 1
    page.locator("[data-nav-group=catalogue] .nav-group-toggle").click()
    link = page.locator("#nav-menu-catalogue a[data-nav-link=calendar]")
    expect(link).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    link.click()
    page.wait_for_url("**/workdays/**")


def test_single_role_sees_plain_links(page: Page, site):
    """A reviewer: the workbench menu, and the one-link catalogue group as a plain link."""
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, site, "reviewer_scj")
    page.goto(site + "/cases/workbench/")
    nav = page.locator("#main-nav")
    assert nav.locator("[data-nav-group]").evaluate_all(
        "gs => gs.map(g => g.dataset.navGroup)"
    ) == ["work"]
    expect(nav.locator("> a[data-nav-link=calculator]")).to_be_visible()
    assert nav.locator("[data-nav-group=hotline], [data-nav-group=system]").count() == 0
