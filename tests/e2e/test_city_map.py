"""The city-management map: status legend with counts, clustered markers, popups with status
and deadline, town outlines, and no third-party flag in the attribution."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_map(page: Page, site: str, query: str = "") -> None:
    page.goto(f"{site}/grid/map/{query}")
    expect(page.locator("#grid-map[data-ready=true]")).to_have_count(1, timeout=15_000)


def test_legend_clusters_and_town_outlines(page: Page, site):
    from yiwang.grid.models import CityEvent

    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, site, "dispatcher_12345")
    open_map(page, site)
    legend = page.get_by_test_id("map-legend")
    expect(legend).to_be_visible()
    # every status has its swatch and its count of cases on the map
    statuses = legend.locator("li[data-status]")
    assert statuses.count() == 8
    total = CityEvent.objects.count()
    counts = legend.locator("[data-count]").evaluate_all(
        "spans => spans.map(s => Number(s.textContent.replace(/\\D/g, '')))"
    )
    assert sum(counts) == total
    dispatched = CityEvent.objects.filter(status="dispatched").count()
    expect(legend.locator("[data-count=dispatched]")).to_have_text(f"({dispatched})")
    # the pins on the map use the legend's colours
    colour = page.evaluate(
        """() => getComputedStyle(document.querySelector('.map-legend .status-dispatched')).backgroundColor"""
    )
    assert colour == "rgb(11, 92, 173)"

    # overlapping cases are clustered; clusters and single pins add up to all cases
    pins = page.locator("#grid-map .map-pin-icon").count()
    clusters = page.locator("#grid-map .map-cluster").evaluate_all(
        "cs => cs.map(c => Number(c.querySelector('[aria-hidden]').textContent))"
    )
    assert clusters, "no cluster at the county view"
    assert pins + sum(clusters) == total

    # town outlines with their names
    towns = page.locator("#grid-map .map-town-label").all_inner_texts()
    assert {"湖寮镇", "高陂镇"} <= set(towns)

    # Leaflet's credit is plain text: no flag
    attribution = page.locator(".leaflet-control-attribution")
    expect(attribution).to_have_text("Leaflet")
    assert attribution.locator("svg, img").count() == 0
    assert_accessible(page)

    # a cluster opens up when chosen (keyboard: Enter)
    first = page.locator("#grid-map .map-cluster").first
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(800)
    assert page.locator("#grid-map .map-pin-icon").count() > pins


def test_popup_shows_status_deadline_and_link(page: Page, site):
    from yiwang.grid.models import CityEvent

    page.set_viewport_size({"width": 1366, "height": 900})
    event = CityEvent.objects.filter(due_at__isnull=False).order_by("pk").first()
    assert event is not None
    login(page, site, "dispatcher_12345")
    open_map(page, site, f"?q={event.number}")
    pin = page.locator("#grid-map .map-pin-icon")
    expect(pin).to_have_count(1)
    assert pin.get_attribute("title").startswith(event.number)
    pin.click()
    popup = page.locator(".leaflet-popup-content .map-popup")
    expect(popup).to_be_visible()
    expect(popup).to_contain_text(event.get_status_display())
    from django.utils import timezone

    expect(popup).to_contain_text(timezone.localdate(event.due_at).isoformat())
    expect(popup.locator("a").first).to_have_attribute("href", f"/grid/events/{event.pk}/")
    # Leaflet fades a popup in: colours measured mid-fade are blends, so wait until it is opaque.
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")
    assert_accessible(page)
    popup.locator("a.btn").click()
    page.wait_for_url(f"**/grid/events/{event.pk}/")


def test_map_on_a_phone(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    login(page, site, "dispatcher_12345")
    open_map(page, site)
    expect(page.get_by_test_id("map-legend")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    assert_accessible(page)
    context.close()
