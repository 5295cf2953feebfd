"""Purpose-bound reveals: a reviewer's burst is stopped by the limit, the auditor sees it
flagged and opens it, the citizen sees the same reveals in their own space."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible, login, logout
from .test_journeys import fill_application_form, upload_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASONS = ["电话通知补正经营场所平面图", "电话确认经营地址", "电话告知现场核查时间"]


def apply_for_food_licence(page: Page, site: str) -> str:
    page.goto(site + "/services/?q=开饭店")
    page.locator("main a[href^='/services/']").filter(has_text="食品经营许可").first.click()
    page.locator("a[href*='/cases/apply/']").first.click()
    fill_application_form(page)
    upload_all(page)
    page.locator("button[name=intent][value=submit]").click()
    page.wait_for_load_state()
    number = page.get_by_test_id("case-number").inner_text().strip()
    assert re.fullmatch(r"441422\d{16}", number)
    return page.url.replace(site, "")


def reveal_id_number(page: Page, site: str, case_url: str, reason: str) -> None:
    page.goto(site + case_url)
    form = page.get_by_test_id("reveal-id_number")
    form.locator("summary").click()
    form.locator("select[name=purpose]").select_option("contact")
    form.locator("input[name=reason]").fill(reason)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_burst_flagged_for_the_auditor_and_listed_for_the_citizen(page: Page, site, settings):
    settings.YIWANG_REVEAL_LIMIT_PER_HOUR = 2  # the live server reads the same settings

    login(page, site, "citizen")
    cases = [apply_for_food_licence(page, site) for _ in range(3)]

    # the reviewer reveals the applicant's ID number case after case until the limit
    logout(page, site)
    login(page, site, "reviewer_scj")
    for case_url, reason in zip(cases[:2], REASONS[:2], strict=True):
        reveal_id_number(page, site, case_url, reason)
        expect(page.get_by_test_id("revealed")).to_have_text("441422199005185387")
    assert_accessible(page)
    reveal_id_number(page, site, cases[2], REASONS[2])
    expect(page.locator(".messages .message-error").first).to_be_visible()
    expect(page.get_by_test_id("revealed")).to_have_count(0)
    expect(page.get_by_test_id("applicant-id-number")).to_contain_text("441422********5387")

    # the auditor sees the reviewer flagged, first, and opens the reveals
    logout(page, site)
    login(page, site, "auditor")
    page.goto(site + "/privacy/")
    assert_accessible(page)
    first = page.get_by_test_id("staff-row").first
    expect(first).to_contain_text("钟文辉")
    expect(first.get_by_test_id("flagged")).to_be_visible()
    page.get_by_test_id("burst-details").first.click()
    page.wait_for_load_state()
    rows = page.get_by_test_id("disclosure-row")
    expect(rows).to_have_count(3)
    expect(page.get_by_test_id("refused")).to_have_count(1)
    for reason in REASONS:
        expect(page.get_by_test_id("disclosures")).to_contain_text(reason)
    assert_accessible(page)

    # the citizen sees the two reveals that happened, with who, why and the case number
    logout(page, site)
    login(page, site, "citizen")
    page.goto(site + "/accounts/me/")
    page.get_by_test_id("my-disclosures-link").click()
    page.wait_for_load_state()
    mine = page.get_by_test_id("my-disclosure-row")
    expect(mine).to_have_count(2)
    table = page.get_by_test_id("my-disclosures")
    expect(table).to_contain_text("钟文辉")
    expect(table).to_contain_text("大埔县市场监督管理局")
    for reason in REASONS[:2]:
        expect(table).to_contain_text(reason)
    expect(table).not_to_contain_text(REASONS[2])
    assert_accessible(page)
