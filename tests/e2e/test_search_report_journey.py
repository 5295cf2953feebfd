"""Learning from use on a phone (390 px): citizens' searches reach the search report; the
data authority adds a query to the lexicon and another as an item's alias, and the public
search finds the item by both at once."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible, login

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


def _row(page: Page, query: str):
    return page.locator(f"[data-testid=report-top] [data-testid=report-row][data-query='{query}']")


def test_authority_turns_searches_into_lexicon_entries_and_aliases(phone: Page, site):
    page = phone
    for query in ("卖盒饭", "卖盒饭", "盒饭档口"):  # citizens' searches
        page.goto(f"{site}/services/?q={query}")

    login(page, site, "authority")
    page.goto(f"{site}/services/manage/search-report/?days=7")
    row = _row(page, "卖盒饭")
    expect(row).to_be_visible()
    assert row.evaluate("r => getComputedStyle(r).display") == "block"  # a card on a phone
    assert_fits(page)
    assert_accessible(page)

    # 添加同义词: the lexicon form opens with the query as the everyday word.
    row.get_by_test_id("add-synonym").click()
    expect(page.locator("input[name=term]")).to_have_value("卖盒饭")
    page.locator("input[name=official]").fill("食品经营")
    assert_fits(page)
    assert_accessible(page)
    page.locator("[data-testid=lexicon-form] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/services/manage/lexicon/$"))
    assert_fits(page)
    assert_accessible(page)
    page.goto(f"{site}/services/?q=卖盒饭")
    expect(page.locator("main")).to_contain_text("食品经营许可")

    # 添加为别名: find the item by official words, choose it, the query becomes an alias.
    page.goto(f"{site}/services/manage/search-report/?days=7")
    _row(page, "盒饭档口").get_by_test_id("add-alias").click()
    page.locator("#alias-words").fill("食品经营许可")
    page.locator("form.filters button[type=submit]").click()
    choices = page.locator("[data-testid=alias-items] input[type=radio]")
    expect(choices.first).to_be_visible()
    assert_fits(page)
    assert_accessible(page)
    page.locator("[data-testid=alias-items] label", has_text="食品经营许可").first.click()
    page.locator("form.card button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/services/manage/search-report/\?days=7$"))
    expect(page.locator(".messages")).to_contain_text("盒饭档口")
    page.goto(f"{site}/services/?q=盒饭档口")
    expect(page.locator("main")).to_contain_text("食品经营许可")
