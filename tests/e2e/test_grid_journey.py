"""Journey (c) of 一网统管: a grid worker on a phone reports, the department handles, the worker verifies."""

import io

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo(name: str, colour: str) -> dict:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buf, format="JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": buf.getvalue()}


def test_grid_worker_reports_department_handles_worker_verifies(page: Page, site, browser):
    from yiwang.grid.models import CityEvent

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    worker = phone.new_page()

    # the grid worker reports what they see, with a photo and the location, from the phone
    login(worker, site, "grid_huliao")
    worker.goto(site + "/grid/m/report/")
    worker.set_input_files("#r_photos", photo("before.jpg", "gray"))
    worker.select_option("#r_class", "event:street_order")
    worker.select_option("#r_subclass", "event:0501")  # GB/T 30428: 无照经营游商
    worker.fill("#r_description", "城东社区东街路口有流动摊贩占道经营，影响行人通行。")
    worker.fill("#r_address", "湖寮镇城东社区东街路口")
    worker.fill("#r_lat", "24.352")
    worker.fill("#r_lng", "116.705")
    worker.locator("form[data-geolocate] button[type=submit]").click()
    worker.wait_for_load_state()
    event = CityEvent.objects.filter(reporter__username="grid_huliao").order_by("-pk").first()
    assert event is not None and event.status == "collected"
    assert (event.category, event.subclass.code) == ("street_order", "0501")
    assert event.photos.filter(phase="before").count() == 1

    # the dispatcher files it and dispatches it to the town's department
    login(page, site, "dispatcher_12345")
    page.goto(f"{site}/grid/events/{event.pk}/")
    page.locator(f"form[action$='/{event.pk}/file/'] button[type=submit]").click()
    page.wait_for_load_state()
    page.select_option("#dispatch_department", label="大埔县湖寮镇人民政府")
    page.locator(f"form[action$='/{event.pk}/dispatch/'] button[type=submit]").click()
    page.wait_for_load_state()
    event.refresh_from_db()
    assert event.status == "dispatched" and event.due_at is not None

    # the department's handler replies with a photo after handling
    login(page, site, "handler_huliao")
    page.goto(f"{site}/grid/events/{event.pk}/")
    page.fill("#handle_reply", "已劝离摊贩并清理路面，设置提示牌。")
    page.set_input_files("#handle_photos", photo("after.jpg", "white"))
    page.locator(f"form[action$='/{event.pk}/handle/'] button[type=submit]").click()
    page.wait_for_load_state()
    event.refresh_from_db()
    assert event.status == "handled"

    # back on the phone: the grid worker verifies on site
    worker.goto(f"{site}/grid/m/{event.pk}/verify/")
    worker.check("#v_yes")
    worker.set_input_files("#v_photos", photo("verify.jpg", "white"))
    worker.locator("form button[type=submit]").last.click()
    worker.wait_for_load_state()
    event.refresh_from_db()
    assert event.status == "verified"

    # the case is closed (结案) and shows its whole history
    login(page, site, "dispatcher_12345")
    page.goto(f"{site}/grid/events/{event.pk}/")
    page.locator(f"form[action$='/{event.pk}/close/'] button[type=submit]").click()
    page.wait_for_load_state()
    event.refresh_from_db()
    assert event.status == "closed"
    expect(page.locator("main")).to_contain_text("已劝离摊贩")
    phone.close()


def test_grid_worker_passes_on_a_residents_request(page: Page, site, browser):
    """A resident's request met on patrol becomes a 12345 ticket; the phone home page lists it
    (a hotline fragment the grid page loads with htmx)."""
    from yiwang.hotline.models import Category, Ticket

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    worker = phone.new_page()
    login(worker, site, "grid_huliao")
    worker.goto(site + "/grid/m/")
    worker.get_by_test_id("pass-on-request").click()
    worker.wait_for_url("**/grid/m/request/")
    worker.select_option("#q_type", "complaint")
    worker.select_option("#q_category", str(Category.objects.get(code="010103").pk))
    worker.fill("#q_content", "居民反映文化广场晚上十点后音响仍很吵，影响休息。")
    worker.fill("#q_address", "湖寮镇文化广场")
    worker.locator("form[data-geolocate] button[type=submit]").click()
    worker.wait_for_url("**/grid/m/")
    ticket = Ticket.objects.filter(registered_by__username="grid_huliao").latest("pk")
    assert ticket.channel == "grid" and ticket.type == "complaint"
    passed_on = worker.locator("section[aria-labelledby='h-passed'] [data-testid='passed-on']")
    expect(passed_on).to_contain_text(ticket.number)
    phone.close()
