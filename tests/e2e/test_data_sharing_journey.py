"""Data sharing's main flow: the data administrator of 县市场监管局 requests two items of
人口基础信息 (县公安局, shared on conditions) from the resource page; the data authority
passes the conformity review; 县公安局's data administrator grants; the grant shows to both
departments and on the resource page."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_request_review_and_grant(page: Page, site):
    login(page, site, "admin_scj")
    page.goto(f"{site}/data/r/101001/")
    page.get_by_test_id("request-sharing").click()
    form = page.get_by_test_id("sharing-request-form")
    expect(form.locator("input[name=fields][value=real_name]")).to_be_enabled()
    form.locator("input[name=fields][value=real_name]").check()
    form.locator("input[name=fields][value=sex]").check()
    form.locator("[name=purpose]").fill("核验食品经营许可申请人身份信息")
    form.locator("[name=scenario]").fill("办理食品经营许可时核对申请人姓名与性别")
    form.locator("[name=legal_basis]").fill("《食品经营许可和备案管理办法》")
    assert_accessible(page)
    page.get_by_test_id("submit-sharing-request").click()
    expect(page).to_have_url(re.compile(r"/data/requests/\d+/$"))
    number = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.locator("[data-request-status=review]").first).to_be_visible()

    login(page, site, "authority")
    page.goto(f"{site}/data/sharing/review/")
    page.get_by_test_id("sharing-review-queue").get_by_role("link", name=f"#{number}").click()
    page.get_by_test_id("review-approve").click()
    expect(page.locator("[data-request-status=provider]").first).to_be_visible()

    login(page, site, "admin_gaj")
    page.goto(f"{site}/data/sharing/decide/")
    page.get_by_test_id("sharing-decision-queue").get_by_role("link", name=f"#{number}").click()
    assert_accessible(page)
    page.get_by_test_id("decide-form").locator("[name=daily_quota]").fill("500")
    page.get_by_test_id("decide-grant").click()
    expect(page.locator("[data-request-status=granted]").first).to_be_visible()
    expect(page.get_by_test_id("grant")).to_contain_text("500")

    page.goto(f"{site}/data/grants/?side=provider")
    expect(page.get_by_test_id("grants")).to_contain_text("大埔县市场监督管理局")
    page.goto(f"{site}/data/r/101001/")
    expect(page.get_by_test_id("consumers")).to_contain_text("大埔县市场监督管理局")

    login(page, site, "admin_scj")
    page.goto(f"{site}/data/grants/")
    grants = page.get_by_test_id("grants")
    expect(grants).to_contain_text("人口基础信息")
    expect(grants).to_contain_text("real_name")
    assert_accessible(page)
