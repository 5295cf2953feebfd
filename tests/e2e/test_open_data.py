"""The open-data portal on a phone: a citizen (no login) opens 开放数据 from the menu,
searches in Chinese, opens a dataset, sees its preview and chart, downloads its CSV and
follows the link to its DCAT-AP JSON-LD."""

import json

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_finds_a_dataset_and_its_json_ld(page: Page, site):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site}/")
    toggle = page.locator("[data-nav-toggle]")
    if toggle.is_visible():
        toggle.click()
    page.get_by_test_id("nav-open-data").click()
    expect(page).to_have_url(f"{site}/open/")
    expect(page.get_by_test_id("open-datasets").locator("li").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)

    page.get_by_role("searchbox").fill("热线")
    page.get_by_test_id("open-search-submit").click()
    results = page.get_by_test_id("open-datasets").locator("li")
    expect(results.first).to_contain_text("12345热线受理情况")
    results.first.get_by_role("link").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("12345热线受理情况（按月）")
    expect(page.get_by_test_id("items")).to_contain_text("满意率")
    expect(page.get_by_test_id("preview-table")).to_contain_text("咨询")
    expect(page.locator("#open-chart canvas")).to_be_visible()  # ECharts drew the chart
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)

    csv_link = page.get_by_test_id("files").locator("a[data-key=csv]")
    download = page.request.get(f"{site}{csv_link.get_attribute('href')}")
    assert download.ok and download.headers["content-type"].startswith("text/csv")
    assert download.body().startswith(b"\xef\xbb\xbf") and "统计月份" in download.text()

    link = page.get_by_test_id("distributions").locator("a[data-key=jsonld]")
    href = link.get_attribute("href")
    assert href and href.endswith(".jsonld")
    response = page.request.get(f"{site}{href}")
    assert response.ok
    assert response.headers["content-type"].startswith("application/ld+json")
    text = json.dumps(json.loads(response.text()), ensure_ascii=False)
    assert "dcat:Dataset" in text and "12345热线受理情况（按月）" in text
