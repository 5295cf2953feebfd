"""The administrator's first login: authenticator set-up, recovery codes, then the admin."""

import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from .conftest import AUTHENTICATORS, DEMO_PASSWORD, _totp_code, assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_sets_up_the_authenticator_and_opens_the_admin(page: Page, site):
    page.goto(f"{site}/admin/")
    expect(page).to_have_url(f"{site}/accounts/login/?next=%2Fadmin%2F")
    page.locator("input[name='username']").first.fill("admin")
    page.locator("input[name='password']").first.fill(DEMO_PASSWORD)
    page.locator("form:has(input[name='password']) button[type='submit']").first.click()
    expect(page.get_by_test_id("mfa-qr")).to_be_visible()
    assert_accessible(page)
    secret = "".join(page.get_by_test_id("mfa-secret").inner_text().split())
    AUTHENTICATORS["admin"] = {"secret": secret, "step": 0}
    form = page.get_by_test_id("mfa-enrol-form")
    valid = {pyotp.TOTP(secret).at(time.time() + drift) for drift in (-30, 0, 30)}
    form.locator("input[name='code']").fill(next(c for c in ("000000", "111111") if c not in valid))
    form.locator("button[type='submit']").click()
    expect(page.locator(".field-error").first).to_be_visible()
    page.get_by_test_id("mfa-enrol-form").locator("input[name='code']").fill(_totp_code("admin"))
    page.get_by_test_id("mfa-enrol-form").locator("button[type='submit']").click()
    expect(page.get_by_test_id("recovery-code")).to_have_count(10)
    assert_accessible(page)
    page.get_by_test_id("mfa-continue").click()
    expect(page).to_have_url(f"{site}/admin/")
    expect(page.locator("#site-name, h1").first).to_be_visible()

    # The next login asks for the code after the password.
    login(page, site, "admin")
    expect(page).not_to_have_url(f"{site}/accounts/login/")
    page.goto(f"{site}/accounts/me/")
    expect(page.get_by_test_id("mfa-on")).to_be_visible()
    assert_accessible(page)
