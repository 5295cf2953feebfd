"""Department and town pickers: grouped (county departments, then towns in code order), sorted,
with a filter box when the list is long."""

import pytest
from playwright.sync_api import Page, expect
from pypinyin import lazy_pinyin

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def groups_of(page: Page, selector: str) -> list[tuple[str, list[str]]]:
    return page.locator(selector).evaluate(
        """s => Array.from(s.querySelectorAll('optgroup')).map(g =>
              [g.label, Array.from(g.querySelectorAll('option')).map(o => o.textContent.trim())])"""
    )


def pinyin(name: str) -> str:
    return " ".join(lazy_pinyin(name))


def assert_departments_grouped(groups) -> None:
    from yiwang.regions.models import Region

    county, *towns = groups
    assert county[1] == sorted(county[1], key=pinyin), county
    assert all(name.startswith("大埔县") for name in county[1])
    codes = [Region.objects.get(name=label, level=4).code for label, _options in towns]
    assert codes == sorted(codes) and len(codes) >= 2


def test_dispatch_pickers_are_grouped_sorted_and_filterable(page: Page, site):
    from yiwang.hotline.models import Ticket
    from yiwang.orgs.models import Department

    page.set_viewport_size({"width": 1366, "height": 900})
    ticket = Ticket.objects.filter(status="new").order_by("pk").first()
    assert ticket is not None
    login(page, site, "dispatcher_12345")
    page.goto(f"{site}/hotline/{ticket.pk}/")
    groups = groups_of(page, "#lead")
    assert_departments_grouped(groups)
    assert groups[1][0] == "湖寮镇" and groups[2][0] == "高陂镇"
    # the co-handler list has the same groups
    assert groups_of(page, "#co") == groups

    # a long list gets a labelled filter box; typing narrows the options
    box = page.locator("#lead-filter")
    expect(box).to_be_visible()
    assert page.locator("label[for=lead-filter]").count() == 1
    assert_accessible(page)
    box.fill("湖寮")
    visible = page.locator("#lead").evaluate(
        "s => Array.from(s.options).filter(o => !o.hidden && o.value).map(o => o.textContent.trim())"
    )
    assert visible == ["大埔县湖寮镇人民政府"]
    hidden_groups = page.locator("#lead optgroup[hidden]").count()
    assert hidden_groups == len(groups) - 1
    page.locator("#lead").select_option(label="大埔县湖寮镇人民政府")
    box.fill("")
    assert page.locator("#lead option[hidden]").count() == 0
    huliao = Department.objects.get(name="大埔县湖寮镇人民政府")
    expect(page.locator("#lead")).to_have_value(str(huliao.pk))

    # the town filter of the dispatch list: towns in code order
    page.goto(f"{site}/hotline/dispatch/")
    towns = groups_of(page, "#f_town")
    assert len(towns) == 1
    from yiwang.regions.models import Region

    codes = [Region.objects.get(name=n, level=4).code for n in towns[0][1]]
    assert codes == sorted(codes)


def test_city_case_dispatch_and_case_transfer_pickers(page: Page, site):
    from yiwang.grid.models import CityEvent

    page.set_viewport_size({"width": 1366, "height": 900})
    event = CityEvent.objects.filter(status="filed").order_by("pk").first()
    assert event is not None
    login(page, site, "dispatcher_12345")
    page.goto(f"{site}/grid/events/{event.pk}/")
    assert_departments_grouped(groups_of(page, "#dispatch_department"))
    expect(page.locator("#dispatch_department option").first).to_have_attribute("value", "")

    # the 12345 dispatch catalogue: regions as the county, then each town with its villages
    login(page, site, "authority")
    page.goto(f"{site}/hotline/config/rules/new/")
    region = page.locator("#id_region")
    first_options = region.evaluate(
        "s => Array.from(s.children).slice(0, 2).map(c => c.tagName + ':' + (c.label || c.textContent))"
    )
    assert first_options[0] == "OPTION:—" and first_options[1] == "OPTION:大埔县"
    groups = groups_of(page, "#id_region")
    from yiwang.regions.models import Region

    codes = [Region.objects.get(name=label, level=4).code for label, _o in groups]
    assert codes == sorted(codes)
    assert_departments_grouped(groups_of(page, "#id_lead_department"))
    assert_accessible(page)
