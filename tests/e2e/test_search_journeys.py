"""Searching a real county's catalogue on a phone (390 px): the demo items and the 1,135
items of a real district, imported without aliases.

(a) "养狗要办证吗" finds 犬类准养证核发 and opens its guide;
(b) a question no service answers says so and leads to the life-event browser.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def corpus(demo):
    from yiwang.audit.actors import SystemActor
    from yiwang.demo import real_catalogue

    real_catalogue.load(actor=SystemActor("demo"))


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


def search_from_home(page: Page, site: str, text: str) -> None:
    page.goto(site + "/")
    box = page.locator("form[role=search] input[type=search]").first
    box.fill(text)
    box.press("Enter")
    page.wait_for_load_state()


def test_citizen_finds_the_dog_licence_in_everyday_words(phone: Page, site, corpus):
    page = phone
    search_from_home(page, site, "养狗要办证吗")
    expect(page).to_have_url(re.compile(r"/services/\?q="))
    first = page.get_by_test_id("item-line").first
    expect(first).to_contain_text("犬类准养证核发")
    overflow = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
    assert overflow[0] <= overflow[1], f"page scrolls sideways: {overflow}"
    assert_accessible(page)
    first.get_by_role("link", name="犬类准养证核发").click()
    expect(page).to_have_url(re.compile(r"/services/\d+/$"))
    expect(page.locator("h1")).to_contain_text("犬类准养证核发")


def test_a_question_without_a_service_leads_to_the_life_event_browser(phone: Page, site, corpus):
    page = phone
    search_from_home(page, site, "手机屏幕碎了去哪修")
    answer = page.get_by_test_id("no-match")
    expect(answer).to_be_visible()
    expect(page.get_by_test_id("item-line")).to_have_count(0)
    expect(page.get_by_test_id("result-count")).to_contain_text("0")
    assert_accessible(page)
    page.get_by_test_id("no-match-themes").click()
    expect(page).to_have_url(re.compile(r"/services/themes/$"))
    expect(page.get_by_test_id("themes-person")).to_be_visible()
