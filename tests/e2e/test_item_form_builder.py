"""The item editor in a browser: a department administrator adds a resident-ID field and a
process step, publishes, and a citizen's application is checked against the new field."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible, login, logout
from .test_journeys import fill_application_form, upload_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ITEM = "食品经营许可（新办）"  # demo: promised 5 working days, five steps adding up to 5
FIELD = "[name='f-holder_id']"


def _field_error(page: Page):
    return page.locator(f".form-field:has({FIELD}) .field-error")


def _submit(page: Page) -> None:
    page.locator("button[name=intent][value=submit]").click()
    page.wait_for_load_state()


def test_admin_builds_the_form_and_process_and_the_citizen_form_checks_the_id(page: Page, site):
    login(page, site, "admin_scj")
    page.goto(f"{site}/services/manage/?q={ITEM}")
    page.locator("main table a", has_text=ITEM).first.click()
    expect(page.locator("h1")).to_contain_text(ITEM)
    item_url = page.url
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert_accessible(page)
    page.set_viewport_size({"width": 1366, "height": 900})

    # a new field: the owner's resident ID number, required, checked as a resident ID
    builder = page.get_by_test_id("form-builder")
    visible_rows = builder.locator("[data-testid=field-row]:visible")
    rows_before = visible_rows.count()
    builder.get_by_test_id("add-field").click()
    expect(visible_rows).to_have_count(rows_before + 1)
    key_input = visible_rows.last.locator("[name$='-key']").get_attribute("name")
    row = builder.get_by_test_id("field-row").filter(has=page.locator(f"[name='{key_input}']"))
    row.locator("[name$='-key']").fill("holder_id")
    row.locator("[name$='-title']").fill("经营者身份证号")
    row.locator("[name$='-kind']").select_option("text")
    row.locator("[name$='-format']").select_option("resident-id")
    expect(row.locator("[name$='-required']")).to_be_checked()
    expect(row.locator("[name$='-choices']")).to_be_hidden()  # only choice fields list choices
    expect(row.locator("legend")).to_contain_text("经营者身份证号")

    # a new process step, moved up before the decision
    process = page.get_by_test_id("process-editor")
    visible_steps = process.locator("[data-testid=step-row]:visible")
    steps_before = visible_steps.count()
    process.get_by_test_id("add-step").click()
    expect(visible_steps).to_have_count(steps_before + 1)
    # pinned by its inputs' names: moving changes its position among the rows
    name_input = visible_steps.last.locator("[name$='-name']").get_attribute("name")
    step = process.get_by_test_id("step-row").filter(has=page.locator(f"[name='{name_input}']"))
    step.locator("[name$='-name']").fill("负责人核验")
    step.locator("[name$='-kind']").select_option("review")
    step.locator("[name$='-role']").select_option("reviewer")
    step.locator("[name$='-limit_days']").fill("1")
    step.locator("[data-move=up]").click()
    step.locator("[data-move=up]").click()
    expect(step.locator("[data-move=up]")).to_be_focused()
    names = process.locator("[data-testid=step-row]:visible [name$='-name']").evaluate_all(
        "els => els.map(e => e.value)"
    )
    assert names.index("负责人核验") == names.index("决定") - 1
    expect(process.locator("[data-steps-total]")).to_have_text("6")

    # six days do not fit the promised five: refused, with everything kept on the page
    page.locator("form[aria-label] > .form-actions button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("process-errors")).to_be_visible()
    expect(
        page.get_by_test_id("form-builder").locator("[name$='-key'][value='holder_id']")
    ).to_have_count(1)

    # shorten 现场核查 by a day and save
    process = page.get_by_test_id("process-editor")
    inspect = process.get_by_test_id("step-row").filter(
        has=page.locator("[name$='-name'][value='现场核查']")
    )
    inspect.locator("[name$='-limit_days']").fill("1")
    page.locator("form[aria-label] > .form-actions button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text(ITEM)
    names = (
        page.get_by_test_id("process-editor")
        .locator("[name$='-name']")
        .evaluate_all("els => els.map(e => e.value).filter(Boolean)")
    )
    assert names == ["受理", "材料审查", "现场核查", "负责人核验", "决定", "办结发证"]

    # publish the changed item
    page.locator("form[action$='/publish/'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text(ITEM)
    item_id = re.search(r"/manage/(\d+)/", item_url).group(1)

    # the citizen sees the field; wrong ID numbers are refused with the field's error
    logout(page, site)
    login(page, site, "citizen")
    page.goto(f"{site}/cases/apply/{item_id}/")
    expect(page.locator(FIELD)).to_be_visible()
    expect(page.locator(f"label[for='{page.locator(FIELD).get_attribute('id')}']")).to_contain_text(
        "经营者身份证号"
    )
    fill_application_form(page)
    upload_all(page)
    for wrong in ("441422198513121238", "441422198503121235"):  # month 13; wrong check digit
        page.locator(FIELD).fill(wrong)
        _submit(page)
        expect(page.get_by_test_id("case-number")).to_have_count(0)
        expect(_field_error(page)).to_contain_text("经营者身份证号")
        expect(page.locator(FIELD)).to_have_value(wrong)
    page.locator(FIELD).fill("441422198503121234")
    if page.locator("form input[type=file]").count():
        upload_all(page)
    _submit(page)
    expect(page.get_by_test_id("case-number")).to_have_text(re.compile(r"441422\d{16}"))


def test_admin_sets_where_cases_are_filed(page: Page, site):
    """The case-region card by keyboard: a field name the form lacks is refused at the field,
    with the page kept; the form's own field is saved."""
    login(page, site, "admin_scj")
    page.goto(f"{site}/services/manage/?q={ITEM}")
    page.locator("main table a", has_text=ITEM).first.click()
    card = page.get_by_test_id("case-region")
    field = card.locator("input[name=case_region_field]")
    premises = card.locator("input[name=case_region_from][value=premises]")
    card.locator("input[name=case_region_from][value=item]").check()
    field.fill("")
    premises.focus()
    page.keyboard.press("Space")
    expect(premises).to_be_checked()
    field.fill("shop_address")
    page.locator("form[aria-label] > .form-actions button[type=submit]").click()
    page.wait_for_load_state()
    card = page.get_by_test_id("case-region")
    expect(card.locator("#id_case_region_field_error")).to_contain_text("shop_address")
    expect(card.locator("input[name=case_region_from][value=premises]")).to_be_checked()
    expect(card.locator("input[name=case_region_field]")).to_have_value("shop_address")
    assert_accessible(page)

    # the form's premises field: saved and shown again
    key = (
        page.get_by_test_id("form-builder")
        .locator("[name$='-key']")
        .evaluate_all("els => els.map(e => e.value).filter(v => /premises|address/.test(v))")
    )[0]
    card.locator("input[name=case_region_field]").fill(key)
    page.locator("form[aria-label] > .form-actions button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text(ITEM)
    card = page.get_by_test_id("case-region")
    expect(card.locator("input[name=case_region_from][value=premises]")).to_be_checked()
    expect(card.locator("input[name=case_region_field]")).to_have_value(key)
