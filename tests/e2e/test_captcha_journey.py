"""The CAPTCHA in a real browser: drawn by the server under the CSP, refreshed with htmx,
and a wrong answer to "send code" shows its error with a new picture."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def picture(page: Page) -> str:
    return page.locator("#id_sms-captcha-box img").get_attribute("src")


def test_sms_code_captcha_in_the_browser(page: Page, live_server):
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    page.goto(f"{live_server.url}/accounts/login/")
    image = page.locator("#id_sms-captcha-box img")
    expect(image).to_be_visible()
    assert page.evaluate("document.querySelector('#id_sms-captcha-box img').naturalWidth") > 0
    assert_accessible(page)

    first = picture(page)
    page.locator("#id_sms-captcha-box .captcha-refresh").click()
    expect(page.locator("#id_sms-captcha-box img")).not_to_have_attribute("src", first)

    second = picture(page)
    page.fill("#id_phone", "13800138001")
    page.fill("#id_sms-captcha_1", "XXXX")
    page.locator("button[formaction$='/login/sms/send/']").click()
    expect(page.locator("#sms-captcha .field-error")).to_be_visible()
    assert picture(page) != second
    assert violations == []
