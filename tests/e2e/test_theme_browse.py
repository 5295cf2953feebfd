"""Browsing by life event on a phone (390 px): home → 按主题办事 → a theme → a guide; the
facets narrow the list; the catalogue admin adds a theme."""

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


def test_citizen_finds_a_guide_by_life_event_on_a_phone(phone: Page, site):
    page = phone
    page.goto(site + "/")
    home_themes = page.get_by_test_id("home-themes")
    expect(home_themes).to_be_visible()
    home_themes.get_by_test_id("all-themes").click()
    expect(page).to_have_url(re.compile(r"/services/themes/$"))
    assert_fits(page)
    # Two columns of tiles on a phone.
    tiles = page.locator("[data-testid=themes-person] .theme-tile")
    first, second = tiles.nth(0).bounding_box(), tiles.nth(1).bounding_box()
    assert first["y"] == second["y"] and second["x"] > first["x"] + first["width"] - 1
    expect(page.get_by_test_id("themes-enterprise")).to_contain_text("准营准办")
    assert_accessible(page)

    page.get_by_test_id("theme-marriage").click()
    expect(page.locator("h1")).to_have_text("婚姻登记")
    assert_fits(page)
    assert_accessible(page)
    line = page.get_by_test_id("item-line").filter(has_text="结婚登记")
    line.get_by_role("link", name="结婚登记").click()
    expect(page.locator("h1")).to_contain_text("结婚登记")
    expect(page.locator("a[href*='/cases/apply/']").first).to_be_visible()


def test_facets_narrow_a_theme_on_a_phone(phone: Page, site):
    page = phone
    page.goto(site + "/services/themes/licences/")
    total = page.get_by_test_id("item-line").count()
    assert total >= 3
    type_facet = page.get_by_test_id("facet-type")
    choice = type_facet.locator("a[data-value]").first
    expected = int(choice.locator(".facet-count").inner_text())
    choice.click()
    expect(page.get_by_test_id("facet-type").locator("a[aria-current=true]")).to_have_attribute(
        "data-value", re.compile(r"^[A-Z]+$")
    )
    expect(page.get_by_test_id("item-line")).to_have_count(expected)
    assert expected < total
    assert_fits(page)
    assert_accessible(page)


def test_catalogue_admin_adds_a_theme_with_the_icon_picker(page: Page, site):
    login(page, site, "authority")
    page.goto(site + "/services/manage/themes/")
    expect(page.get_by_test_id("themes-person")).to_contain_text("身后事")
    # Every demo item is in a theme: nothing to place.
    expect(page.get_by_test_id("place-unthemed").get_by_role("button")).to_be_disabled()
    assert_accessible(page)
    page.get_by_test_id("new-theme").click()
    form = page.get_by_test_id("theme-form")
    form.locator("input[name=name]").fill("宠物饲养")
    form.locator("input[name=code]").fill("pets")
    form.locator("input[name=audience][value=person]").check()
    form.locator(".icon-choice:has(input[value=heart]) label").click()
    expect(form.locator("input[name=icon][value=heart]")).to_be_checked()
    form.locator("input[name=order]").fill("130")
    form.locator("textarea[name=keywords]").fill("犬 狗 宠物")
    assert_accessible(page)
    form.locator("button[type=submit]").click()
    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator("tr[data-theme=pets]")).to_contain_text("宠物饲养")
