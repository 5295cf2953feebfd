"""The upload control: chosen files listed with size and preview, removable before submitting,
and upload progress for large files."""

import io
import random
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo(name: str, colour: str) -> dict:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buf, format="JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": buf.getvalue()}


def big_photo(name: str) -> dict:
    """A PNG of noise, just over 1 MB: big enough for the progress path (≥ 512 KB)."""
    rnd = random.Random(7)
    image = Image.frombytes("RGB", (620, 620), rnd.randbytes(620 * 620 * 3))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    assert buf.tell() > 1024 * 1024
    return {"name": name, "mimeType": "image/png", "buffer": buf.getvalue()}


def fill_report(page: Page) -> None:
    page.select_option("#r_class", "event:street_order")
    page.select_option("#r_subclass", "event:0501")  # GB/T 30428: 无照经营游商
    page.fill("#r_description", "城东社区东街路口有流动摊贩占道经营，影响行人通行。")
    page.fill("#r_address", "湖寮镇城东社区东街路口")
    page.fill("#r_lat", "24.352")
    page.fill("#r_lng", "116.705")


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


def test_choose_two_photos_remove_one_and_submit(phone: Page, site):
    from yiwang.grid.models import CityEvent

    page = phone
    login(page, site, "grid_huliao")
    page.goto(site + "/grid/m/report/")
    control = page.locator(".upload:has(#r_photos)")
    button = control.locator("label.upload-button[for=r_photos]")
    expect(button).to_be_visible()
    # the browser's own "Choose File / No file chosen" is not shown; the input is still there
    box = page.locator("#r_photos").bounding_box()
    assert box is not None and box["width"] <= 1 and box["height"] <= 1
    assert_accessible(page)

    page.set_input_files("#r_photos", [photo("远景.jpg", "gray"), photo("近景.jpg", "white")])
    items = control.locator(".upload-item")
    expect(items).to_have_count(2)
    expect(items.nth(0).locator(".upload-name")).to_have_text("远景.jpg")
    expect(items.nth(0).locator(".upload-size")).to_have_text(re.compile(r"^\d+(\.\d)? (B|KB)$"))
    expect(items.nth(0).locator("img.upload-thumb")).to_be_visible()
    assert_accessible(page)

    # a second choice adds to the list (a phone camera takes one photo per choice)
    page.set_input_files("#r_photos", photo("补拍.jpg", "black"))
    expect(items).to_have_count(3)
    items.nth(2).locator(".upload-remove").click()
    items.nth(0).locator(".upload-remove").click()
    expect(items).to_have_count(1)
    expect(items.nth(0).locator(".upload-name")).to_have_text("近景.jpg")
    assert page.evaluate("document.getElementById('r_photos').files.length") == 1
    expect(control.locator(".upload-status")).to_contain_text("1")

    fill_report(page)
    page.locator("form[data-geolocate] button[type=submit]").click()
    page.wait_for_url("**/grid/m/")
    event = CityEvent.objects.filter(reporter__username="grid_huliao").order_by("-pk").first()
    photos = list(event.photos.filter(phase="before"))
    assert len(photos) == 1 and photos[0].original_name == "近景.jpg"


def test_large_upload_shows_progress_and_lands_on_the_result(phone: Page, site):
    from yiwang.grid.models import CityEvent

    page = phone
    login(page, site, "grid_huliao")
    page.goto(site + "/grid/m/report/")
    before = CityEvent.objects.count()
    page.set_input_files("#r_photos", big_photo("大图.png"))
    expect(page.locator(".upload-item .upload-size")).to_contain_text("MB")
    fill_report(page)
    # a wrong latitude: the answer is the form again, with the error, written into this page
    page.fill("#r_lat", "北纬")
    page.locator("form[data-geolocate] button[type=submit]").click()
    expect(page.locator("#r_lat[value='北纬'] ~ .field-error, .field-error").first).to_be_visible(
        timeout=20_000
    )
    assert CityEvent.objects.count() == before
    # the page written in is a working page: its upload control and submit handler run once
    page.set_input_files("#r_photos", big_photo("大图.png"))
    expect(page.locator(".upload-item")).to_have_count(1)
    fill_report(page)
    page.locator("form[data-geolocate] button[type=submit]").click()
    progress = page.locator(".upload-progress")
    expect(progress).to_be_visible()
    expect(page.locator("form[data-geolocate] button[type=submit]")).to_be_disabled()
    # the answer replaces the page and the address shows where the submission led
    page.wait_for_url("**/grid/m/", timeout=20_000)
    expect(page.locator(".message-success")).to_be_visible()
    assert CityEvent.objects.count() == before + 1
    event = CityEvent.objects.order_by("-pk").first()
    assert event.photos.filter(phase="before").count() == 1
    # its scripts ran again (html.js is set by site.js)
    expect(page.locator("html.js")).to_have_count(1)
    assert_accessible(page)


def test_single_file_material_gets_the_control(page: Page, site):
    login(page, site, "citizen")
    page.goto(site + "/services/?q=食品经营许可")
    page.locator("main a[href^='/services/']").filter(has_text="食品经营许可").first.click()
    page.locator("a[href*='/cases/apply/']").first.click()
    first = page.locator("form input[type=file]").first
    input_id = first.get_attribute("id")
    button = page.locator(f"label.upload-button[for='{input_id}']")
    expect(button).to_be_visible()
    pdf = {
        "name": "营业执照.pdf",
        "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n",
    }
    first.set_input_files(pdf)
    control = page.locator(f".upload:has(#{input_id})")
    expect(control.locator(".upload-item")).to_have_count(1)
    expect(control.locator(".upload-icon")).to_have_text("PDF")
    # keyboard: the hidden input takes focus and its label shows the ring
    first.focus()
    assert page.evaluate(f"document.activeElement.id === '{input_id}'")
    control.locator(".upload-remove").click()
    expect(control.locator(".upload-item")).to_have_count(0)
    assert page.evaluate(f"document.getElementById('{input_id}').files.length") == 0
    assert_accessible(page)
