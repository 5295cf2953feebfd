"""The two browser journeys of 一网通办, plus axe-core checks on the key pages."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible, login, logout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = {
    "name": "材料.pdf",
    "mimeType": "application/pdf",
    "buffer": b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n",
}


def fill_application_form(page: Page, scope: str = "form") -> None:
    """Fill every field of the item's form with plausible values, by type and label."""
    fields = page.locator(f"{scope} fieldset .form-field")
    for i in range(fields.count()):
        field = fields.nth(i)
        label = field.locator("label").first.inner_text() if field.locator("label").count() else ""
        control = field.locator("input:not([type=hidden]):not([type=file]), select, textarea").first
        if control.count() == 0:
            continue
        name = control.get_attribute("name") or ""
        if name.startswith("applicant_") or name == "hall":
            continue
        tag = control.evaluate("e => e.tagName.toLowerCase()")
        kind = control.get_attribute("type") or ""
        if tag == "select":
            values = control.locator("option").evaluate_all(
                "os => os.map(o => o.value).filter(v => v)"
            )
            control.select_option(values[0])
        elif kind == "checkbox":
            control.check()
        elif kind == "number":
            control.fill("3")
        elif kind == "date":
            control.fill("2026-12-01")
        elif "电话" in label or "手机" in label or kind == "tel":
            control.fill("13800135678")
        elif "身份" in label:
            control.fill("11010519491231002X")
        elif "账号" in label:
            control.fill("6222021234567890128")
        elif "日期" in label:
            control.fill("2026-12-01")
        else:
            control.fill("客家味道小吃店")


def upload_all(page: Page, scope: str = "form") -> None:
    inputs = page.locator(f"{scope} input[type=file]")
    for i in range(inputs.count()):
        inputs.nth(i).set_input_files(PDF)


def act(page: Page, action: str, **fields) -> None:
    form = page.locator(f"form:has(input[name=action][value={action}])")
    for selector, value in fields.items():
        form.locator(f"#{selector}").fill(value)
    form.locator("button[type=submit]").first.click()
    page.wait_for_load_state()


def open_case(page: Page, site: str, case_url: str) -> None:
    page.goto(site + case_url)


def test_citizen_applies_reviewer_asks_correction_approver_approves(page: Page, site):
    # the home page is accessible
    page.goto(site + "/")
    assert_accessible(page)

    # (a) the citizen logs in and searches in everyday words
    login(page, site, "citizen")
    page.goto(site + "/services/?q=开饭店")
    first = page.locator("main a[href^='/services/']").filter(has_text="食品经营许可").first
    first.click()
    expect(page.locator("h1")).to_contain_text("食品经营许可")
    assert_accessible(page)

    page.locator("a[href*='/cases/apply/']").first.click()
    expect(page.locator("form input[name=submission_key]")).to_have_count(1)
    assert_accessible(page)
    fill_application_form(page)
    upload_all(page)
    page.locator("button[name=intent][value=submit]").click()
    page.wait_for_load_state()
    number = page.get_by_test_id("case-number").inner_text().strip()
    assert re.fullmatch(r"441422\d{16}", number)
    case_url = page.url.replace(site, "")

    # the reviewer accepts and asks for corrections, all at once
    logout(page, site)
    login(page, site, "reviewer_scj")
    page.goto(site + "/cases/workbench/")
    assert_accessible(page)
    page.get_by_role("link", name=number).click()
    act(page, "accept")
    act(page, "request_correction", cor_missing="请补充：经营场所平面图须标明各功能区面积。")
    expect(page.get_by_test_id("case-status")).to_be_visible()

    # the citizen resubmits
    logout(page, site)
    login(page, site, "citizen")
    open_case(page, site, case_url)
    expect(page.locator("#h-correct")).to_be_visible()
    page.locator("form[action$='/resubmit/'] input[type=file]").first.set_input_files(PDF)
    page.locator("form[action$='/resubmit/'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#h-correct")).to_have_count(0)

    # the reviewer passes every review step
    logout(page, site)
    login(page, site, "reviewer_scj")
    open_case(page, site, case_url)
    while page.locator("form:has(input[name=action][value=pass_review])").count():
        act(page, "pass_review", rev_opinion="材料齐全，现场核查符合要求。")

    # the approver approves
    logout(page, site)
    login(page, site, "approver_scj")
    open_case(page, site, case_url)
    page.locator("button[name=action][value=approve]").click()
    page.wait_for_load_state()

    # the result is delivered (办结)
    logout(page, site)
    login(page, site, "reviewer_scj")
    open_case(page, site, case_url)
    act(page, "conclude")

    # the citizen downloads the decision and sees the timeline
    logout(page, site)
    login(page, site, "citizen")
    open_case(page, site, case_url)
    assert page.locator(".timeline-item").count() >= 7
    href = page.get_by_test_id("decision-link").get_attribute("href")
    response = page.request.get(site + href)
    assert response.ok and response.body().startswith(b"%PDF")
    assert response.headers["content-type"] == "application/pdf"


def test_window_registers_walk_in_for_another_towns_item_and_prints_receipt(page: Page, site):
    login(page, site, "window_huliao")
    page.goto(site + "/cases/intake/")
    row = (
        page.locator("tr", has_text="高陂镇")
        .filter(has=page.locator("a[href*='/cases/intake/']"))
        .first
    )
    item_name = row.locator("td").first.inner_text()
    row.locator("a[href*='/cases/intake/']").click()
    expect(page.locator("h1")).to_contain_text(item_name)
    page.fill("#i_name", "王芳")
    page.fill("#i_id", "440524188001010014")
    page.fill("#i_phone", "13900001111")
    fill_application_form(page)
    upload_all(page)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    number = page.get_by_test_id("case-number").inner_text().strip()
    assert number.startswith("441422")
    expect(page.locator("main")).to_contain_text("湖寮镇便民服务中心")
    href = page.get_by_test_id("receipt-link").get_attribute("href")
    response = page.request.get(site + href)
    assert response.ok and response.body().startswith(b"%PDF")
