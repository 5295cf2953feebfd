"""Lists on a phone (390 px): each row a card of label: value pairs, no sideways scrolling,
the status and the deadline visible without scrolling the table."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible, login
from .test_journeys import fill_application_form, upload_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


def assert_fits(page: Page) -> None:
    overflow = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
    assert overflow[0] <= overflow[1], f"page scrolls sideways: {overflow}"


def assert_cards(page: Page, table: str, cells=("status", "due")) -> None:
    """The first row is a card inside the screen, showing its labelled status/deadline cells."""
    row = page.locator(f"{table} tbody tr").first
    expect(row).to_be_visible()
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    for name in cells:
        cell = row.locator(f"td[data-cell={name}]")
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
        label = cell.evaluate("c => getComputedStyle(c, '::before').content")
        assert label.strip('"') == cell.get_attribute("data-label")
    assert_fits(page)


def test_citizen_and_reviewer_lists_are_cards(phone: Page, site):
    page = phone
    login(page, site, "citizen")
    page.goto(site + "/services/?q=开饭店")
    page.locator("main a[href^='/services/']").filter(has_text="食品经营许可").first.click()
    page.locator("a[href*='/cases/apply/']").first.click()
    assert_fits(page)
    fill_application_form(page)
    upload_all(page)
    page.locator("button[name=intent][value=submit]").click()
    page.wait_for_load_state()
    number = page.get_by_test_id("case-number").inner_text().strip()
    assert_fits(page)  # the case page with its materials

    page.goto(site + "/cases/mine/")
    assert_cards(page, "[data-testid=my-cases]")
    assert_accessible(page)

    login(page, site, "reviewer_scj")
    page.goto(site + "/cases/workbench/")
    assert_cards(page, "[data-testid=inbox]", cells=("status", "due", "deadline"))
    expect(page.locator("[data-testid=inbox]")).to_contain_text(number)
    assert_accessible(page)


def test_hotline_and_city_lists_are_cards(phone: Page, site):
    page = phone
    login(page, site, "dispatcher_12345")
    page.goto(site + "/hotline/dispatch/?status=closed")
    assert_cards(page, "[data-testid=tickets]")
    assert_accessible(page)
    page.goto(site + "/grid/events/")
    assert_cards(page, "[data-testid=grid-events]", cells=("status", "due", "deadline"))
    assert_accessible(page)

    login(page, site, "handler_huliao")
    page.goto(site + "/hotline/inbox/?tab=done")
    assert_cards(page, "[data-testid=tickets]")

    login(page, site, "agent_12345")
    page.goto(site + "/hotline/callbacks/")
    assert_cards(page, "[data-testid=callbacks]")
    assert_accessible(page)


def test_wide_screens_keep_the_table(page: Page, site):
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, site, "dispatcher_12345")
    page.goto(site + "/grid/events/")
    row = page.locator("[data-testid=grid-events] tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "table-row"
    header = page.locator("[data-testid=grid-events] thead th").first
    expect(header).to_be_visible()
