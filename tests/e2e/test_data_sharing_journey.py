"""Data sharing's main flow: the data administrator of 县市场监管局 requests two items of
人口基础信息 (县公安局, shared on conditions) from the resource page; the data authority
passes the conformity review; 县公安局's data administrator grants; the grant shows to both
departments and on the resource page. 县市场监管局's administrator then issues API credentials
for the grant; a consumer system signs a request with them and reads a person's two granted
items, the name masked; 县公安局 sees the call among those who read its data."""

import re

import pytest
from playwright.sync_api import Page, expect

from yiwang.datahub.masking import mask_value
from yiwang.exchange.client import ExchangeClient

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_request_review_and_grant(page: Page, site):
    login(page, site, "admin_scj")
    page.goto(f"{site}/data/r/101001/")
    page.get_by_test_id("request-sharing").click()
    form = page.get_by_test_id("sharing-request-form")
    expect(form.locator("input[name=fields][value=real_name]")).to_be_enabled()
    form.locator("input[name=fields][value=real_name]").check()
    form.locator("input[name=fields][value=id_number]").check()
    form.locator("[name=purpose]").fill("核验食品经营许可申请人身份信息")
    form.locator("[name=scenario]").fill("办理食品经营许可时按公民身份号码核对申请人姓名")
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

    grants.locator("tr", has_text=f"#{number}").get_by_test_id("grant-api-access").click()
    page.get_by_test_id("issue-credentials").click()
    issued = page.get_by_test_id("issued-credential")
    client_id = issued.get_by_test_id("new-client-id").inner_text().strip()
    secret = issued.get_by_test_id("new-secret").inner_text().strip()
    assert_accessible(page)

    person = _a_person()
    answer = ExchangeClient(site, client_id, secret).get(
        f"/api/v1/exchange/resources/101001/rows/{person['id_number']}",
        {"fields": "real_name,id_number"},
    )
    row = answer["row"]
    assert set(row) == {"real_name", "id_number"}
    assert row["real_name"] == mask_value(person["real_name"], "name") != person["real_name"]
    assert row["id_number"] == mask_value(person["id_number"], "id_number")
    assert "****" in row["id_number"]
    unsigned = ExchangeClient(site, client_id, "not-the-secret").request(
        "GET", f"/api/v1/exchange/resources/101001/rows/{person['id_number']}"
    )
    assert unsigned.status == 401 and unsigned.json()["code"] == "bad_signature"

    login(page, site, "admin_gaj")
    page.goto(f"{site}/data/grants/?side=provider")
    page.get_by_test_id("who-read-link").click()
    calls = page.get_by_test_id("read-row").filter(has_text="大埔县市场监督管理局")
    read_call = calls.filter(has_text="姓名")
    expect(read_call).to_have_count(1)
    expect(read_call).to_contain_text("101001")
    expect(read_call.locator("[data-rows]")).to_have_text("1")
    assert_accessible(page)


def _a_person() -> dict:
    """A person the demo's 人口基础信息 holds, read straight from the hub."""
    from yiwang.datahub.hub import read
    from yiwang.datahub.models import Resource

    rows, _next = read.page(Resource.objects.get(code="101001"), limit=1)
    return rows[0]
