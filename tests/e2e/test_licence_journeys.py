"""E-licence journeys: an approved food licence reaches the enterprise's wallet and verifies by
its QR link; a second application takes the licence instead of an upload, the reviewer sees it
and the holder sees the use; the issuing department revokes it and the verify page says so."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible, login, logout
from .test_journeys import PDF, act, fill_application_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENTERPRISE = "大埔县客家味道餐饮有限公司"


def act_for_enterprise(page: Page, site: str) -> None:
    page.goto(site + "/accounts/act-as/")
    page.get_by_label(re.compile(ENTERPRISE)).check()
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text(f"您已切换为代表{ENTERPRISE}办事")


def apply_for(page: Page, site: str, item_name: str) -> None:
    page.goto(site + "/services/?q=" + item_name)
    page.locator("main a[href^='/services/']").filter(has_text=item_name).first.click()
    expect(page.locator("h1")).to_contain_text(item_name)
    page.locator("a[href*='/cases/apply/']").first.click()
    expect(page.locator("form input[name=submission_key]")).to_have_count(1)


def submit(page: Page) -> tuple[str, str]:
    page.locator("button[name=intent][value=submit]").click()
    page.wait_for_load_state()
    number = page.get_by_test_id("case-number").inner_text().strip()
    return number, page.url


def staff_approves(page: Page, site: str, case_url: str) -> None:
    logout(page, site)
    login(page, site, "reviewer_scj")
    page.goto(case_url)
    act(page, "accept")
    while page.locator("form:has(input[name=action][value=pass_review])").count():
        act(page, "pass_review", rev_opinion="材料齐全，现场核查符合要求。")
    logout(page, site)
    login(page, site, "approver_scj")
    page.goto(case_url)
    page.locator("button[name=action][value=approve]").click()
    page.wait_for_load_state()


def test_approved_food_licence_reaches_the_wallet_is_used_and_revoked(page: Page, site):
    # (a) the enterprise applies for 食品经营许可（新办）; the department approves
    login(page, site, "enterprise")
    act_for_enterprise(page, site)
    page.goto(site + "/licences/mine/")
    held_before = page.get_by_test_id("licence").count()
    apply_for(page, site, "食品经营许可（新办）")
    fill_application_form(page)
    inputs = page.locator("form input[type=file]")
    for i in range(inputs.count()):
        inputs.nth(i).set_input_files(PDF)
    number, case_url = submit(page)
    assert re.fullmatch(r"441422\d{16}", number)
    staff_approves(page, site, case_url)

    # the licence is in the enterprise's wallet, signed; its QR link verifies it as valid
    logout(page, site)
    login(page, site, "enterprise")
    act_for_enterprise(page, site)
    page.goto(site + "/licences/mine/")
    expect(page.get_by_test_id("licence")).to_have_count(held_before + 1)
    assert_accessible(page)
    page.get_by_test_id("licence-link").first.click()
    page.wait_for_load_state()
    assert_accessible(page)
    verify_href = page.get_by_test_id("verify-link").get_attribute("href")
    identifier = verify_href.rstrip("/").rsplit("/", 1)[-1]
    pdf = page.request.get(site + f"/licences/mine/{identifier}/licence.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    logout(page, site)  # anyone who scans the QR code: no login
    page.goto(site + f"/verify/{identifier}")
    expect(page.get_by_test_id("verify-result")).to_have_attribute("data-valid", "true")
    expect(page.get_by_test_id("status")).to_have_text("有效")
    assert_accessible(page)

    # (b) the enterprise applies to cancel the licence: the licence stands in for the material
    login(page, site, "enterprise")
    act_for_enterprise(page, site)
    apply_for(page, site, "食品经营许可（注销）")
    obtained = page.get_by_test_id("material-obtained")
    expect(obtained).to_have_count(1)
    expect(obtained).to_contain_text("已从电子证照获取")
    page.locator("select[name$=reason]").select_option("终止经营")
    page.locator("input[name$=operator_name]").fill(ENTERPRISE)
    page.locator("input[name$=licence_number]").fill("JY14414220003518")
    page.locator("input[name$=phone]").fill("13800135678")
    assert page.locator("form input[type=file]").evaluate_all(
        "inputs => inputs.every(i => i.files.length === 0)"
    )
    cancel_number, cancel_url = submit(page)

    # the reviewer sees the verified licence in the case
    logout(page, site)
    login(page, site, "reviewer_scj")
    page.goto(cancel_url)
    expect(page.get_by_test_id("obtained-material")).to_contain_text("食品经营许可证")
    expect(page.get_by_test_id("obtained-licence")).to_be_visible()
    used = page.get_by_test_id("obtained-material").locator("a").get_attribute("href")
    used_identifier = used.rstrip("/").rsplit("/", 1)[-1]

    # the holder sees the use, with the case as its purpose
    logout(page, site)
    login(page, site, "enterprise")
    act_for_enterprise(page, site)
    page.goto(site + f"/licences/mine/{used_identifier}/")
    expect(page.get_by_test_id("licence-uses")).to_contain_text(cancel_number)

    # (c) the issuing department revokes the licence; the verify page says so
    logout(page, site)
    login(page, site, "reviewer_scj")
    page.goto(site + f"/licences/manage/{used_identifier}/")
    page.get_by_test_id("revoke").click()
    form = page.get_by_test_id("status-form")
    form.locator("textarea").fill("经营者申请终止经营，依法撤销许可。")
    form.locator("input[type=checkbox]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    logout(page, site)
    page.goto(site + f"/verify/{used_identifier}")
    expect(page.get_by_test_id("verify-result")).to_have_attribute("data-valid", "false")
    expect(page.get_by_test_id("status")).to_have_text("撤销")


def test_licence_pages_fit_a_phone(browser, site):
    """The holder's wallet, a licence with its sharing form, the grants page, the public
    verify page and the department's list: no sideways scrolling at 390 px, no serious axe
    violations."""
    from .test_phone_cards import assert_fits

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    login(page, site, "citizen")
    page.goto(site + "/licences/mine/")
    expect(page.get_by_test_id("licence")).not_to_have_count(0)
    assert_fits(page)
    page.get_by_test_id("licence-link").first.click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("share-form")).to_be_visible()
    assert_fits(page)
    assert_accessible(page)
    identifier = page.get_by_test_id("verify-link").get_attribute("href").rsplit("/", 1)[-1]
    page.goto(site + "/licences/mine/grants/")
    assert_fits(page)
    assert_accessible(page)
    logout(page, site)
    page.goto(site + f"/verify/{identifier}")
    expect(page.get_by_test_id("verify-result")).to_have_attribute("data-valid", "true")
    assert_fits(page)
    login(page, site, "admin_mzj")
    page.goto(site + "/licences/manage/")
    assert_fits(page)
    assert_accessible(page)
    context.close()
