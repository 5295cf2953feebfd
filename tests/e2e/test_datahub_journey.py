"""The data catalogue's main flow: a department data administrator registers a resource
with two items (the second one's grade filled in by the suggestion) and submits it; the
data authority publishes it from the review queue; it appears in the catalogue."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_registers_authority_publishes(page: Page, site):
    login(page, site, "admin_scj")
    page.goto(f"{site}/data/manage/")
    page.get_by_test_id("new-resource").click()
    form = page.get_by_test_id("resource-form")
    form.locator("[name=name]").fill("食品小作坊登记信息")
    form.locator("[name=classification]").select_option("301")
    form.locator("[name=summary]").fill("本县食品小作坊登记证的核发和注销信息。")
    form.locator("[name=format]").select_option("database")
    form.locator("[name=sharing_type]").select_option("unconditional")
    form.locator("[name=sharing_method]").select_option("interface")
    form.locator("[name=open_type]").select_option("closed")
    form.locator("[name=update_cycle]").select_option("monthly")
    form.locator("[name=key_item]").fill("registration_no")
    form.locator("[name='items-0-name']").fill("登记证编号")
    form.locator("[name='items-0-column']").fill("registration_no")
    form.locator("[name='items-0-grade']").select_option("g1")
    assert_accessible(page)

    page.get_by_test_id("add-item").click()
    form.locator("[name='items-1-name']").fill("负责人身份证号码")
    form.locator("[name='items-1-column']").fill("owner_id")
    form.locator("[name='items-1-samples']").fill("11010519491231002X\n440524188001010014")
    page.get_by_test_id("item-row").nth(1).get_by_test_id("suggest-grade").click()
    expect(page.get_by_test_id("suggestion")).to_be_visible()
    expect(form.locator("[name='items-1-grade']")).to_have_value("g4")
    expect(form.locator("[name='items-1-mask']")).to_have_value("id_number")
    page.get_by_test_id("save-resource").click()

    expect(page).to_have_url(re.compile(r"/data/r/301\d{3}/$"))
    code = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.get_by_test_id("items").locator("tbody tr")).to_have_count(2)
    page.get_by_test_id("submit-resource").click()
    expect(page.locator("[data-status=submitted]").first).to_be_visible()

    login(page, site, "authority")
    page.goto(f"{site}/data/review/")
    page.get_by_test_id("review-queue").get_by_role("link", name="食品小作坊登记信息").click()
    page.get_by_test_id("publish-resource").click()
    expect(page.get_by_test_id("versions")).to_contain_text("v1")

    login(page, site, "leader")
    page.goto(f"{site}/data/?q=负责人身份证号码")
    catalogue = page.get_by_test_id("catalogue")
    expect(catalogue.locator(f"tr[data-code='{code}']")).to_be_visible()
    assert_accessible(page)


def test_the_editor_fits_a_phone(page: Page, site):
    """On a phone the items table scrolls sideways inside its frame; the page itself does not."""
    login(page, site, "admin_scj")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site}/data/manage/new/")
    page.get_by_test_id("add-item").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    wrap = page.get_by_test_id("items-editor").locator(".table-wrap")
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth")
