"""A citizen's application with a mistake: the error is shown once, linked to its field, the
chosen files are kept as already attached, and the corrected form goes through without
choosing them again."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible, login
from .test_journeys import fill_application_form, upload_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_files_survive_a_mistake_in_the_form(page: Page, site):
    login(page, site, "citizen")
    page.goto(site + "/services/?q=食品经营许可")
    page.locator("main a[href^='/services/']").filter(has_text="食品经营许可（新办）").first.click()
    page.locator("a[href*='/cases/apply/']").first.click()
    fill_application_form(page)
    upload_all(page)
    staff = page.locator("input[name='f-staff_count']")
    staff.fill("0")  # the mistake
    page.locator("button[name=intent][value=submit]").click()
    page.wait_for_load_state()

    expect(page.get_by_test_id("case-number")).to_have_count(0)
    errors = page.locator("#id_f-staff_count_error li")
    expect(errors).to_have_count(1)
    described = staff.get_attribute("aria-describedby") or ""
    assert "id_f-staff_count_error" in described.split()
    kept = page.get_by_test_id("kept-file").count()
    assert kept >= 1
    assert_accessible(page)

    staff.fill("3")
    page.locator("button[name=intent][value=submit]").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("case-number")).to_have_text(re.compile(r"441422\d{16}"))
    expect(page.locator(".file-list li")).to_have_count(kept)
