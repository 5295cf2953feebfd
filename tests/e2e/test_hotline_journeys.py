"""Journeys (a) and (b) of the 12345 hotline."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def act(page: Page, site: str, ticket_pk: int, action: str) -> None:
    page.locator(f"form[action$='/{ticket_pk}/{action}/'] button[type=submit]").first.click()
    page.wait_for_load_state()


def register_complaint(page: Page, site: str, text: str) -> int:
    from yiwang.hotline.models import Ticket

    login(page, site, "agent_12345")
    page.goto(site + "/hotline/new/")
    assert_accessible(page)
    page.fill("#id_caller_phone", "13800138123")
    page.fill("#id_caller_name", "陈先生")
    page.select_option("#id_type", "complaint")
    page.locator("#id_content").press_sequentially(text, delay=5)
    # the suggestion arrives while typing; the agent accepts the suggested category
    suggestion = page.locator("[data-testid=category-suggestions] .js-pick-category").first
    expect(suggestion).to_be_visible(timeout=10_000)
    chosen = suggestion.get_attribute("data-category")
    suggestion.click()
    expect(page.locator("#id_category")).to_have_value(chosen)
    page.select_option("#id_region", index=1)
    page.fill("#id_address", "湖寮镇城东社区东街")
    page.locator("#agent-form button[type=submit]").click()
    page.wait_for_load_state()
    ticket = Ticket.objects.order_by("-pk").first()
    assert ticket.content == text and str(ticket.category_id) == chosen
    return ticket.pk


def test_complaint_dispatched_handled_and_called_back(page: Page, site):
    from yiwang.hotline.models import Ticket

    pk = register_complaint(
        page, site, "晚上十点以后东街烧烤店噪音扰民，油烟很大，多次反映未解决。"
    )

    # the dispatcher sees the suggested department and dispatches
    login(page, site, "dispatcher_12345")
    page.goto(f"{site}/hotline/{pk}/")
    act(page, site, pk, "dispatch")
    ticket = Ticket.objects.get(pk=pk)
    assert ticket.status == "dispatched" and ticket.lead_department is not None and ticket.due_at
    handler = {
        "大埔县湖寮镇人民政府": "handler_huliao",
        "大埔县住房和城乡建设局": "handler_zjj",
        "大埔县市场监督管理局": "handler_scj",
    }[ticket.lead_department.name]

    # the department's handler signs for it and replies
    login(page, site, handler)
    page.goto(f"{site}/hotline/{pk}/")
    page.get_by_test_id("sign-for").click()
    page.wait_for_load_state()
    page.fill("#rtext", "已约谈店主，调整营业时间至22点前并加装油烟净化设备。")
    act(page, site, pk, "reply")
    assert Ticket.objects.get(pk=pk).status == "replied"

    # the dispatcher accepts the reply; the agent calls back and records satisfaction
    login(page, site, "dispatcher_12345")
    page.goto(f"{site}/hotline/{pk}/")
    page.get_by_test_id("close").click()
    page.wait_for_load_state()
    login(page, site, "agent_12345")
    page.goto(f"{site}/hotline/callbacks/")
    page.goto(f"{site}/hotline/{pk}/")
    page.select_option("#sat", "satisfied")
    page.fill("#cbnote", "市民表示满意。")
    act(page, site, pk, "record_callback")
    ticket = Ticket.objects.get(pk=pk)
    assert ticket.status == "closed" and ticket.satisfaction == "satisfied" and ticket.callback_at


def test_wrong_dispatch_returned_and_redispatched(page: Page, site):
    from yiwang.hotline.models import Ticket
    from yiwang.orgs.models import Department

    pk = register_complaint(page, site, "东街路口井盖缺失，晚上很危险，请尽快处理。")
    wrong = Department.objects.get(name="大埔县市场监督管理局")

    login(page, site, "dispatcher_12345")
    page.goto(f"{site}/hotline/{pk}/")
    page.select_option("#lead", str(wrong.pk))
    act(page, site, pk, "dispatch")
    assert Ticket.objects.get(pk=pk).lead_department == wrong

    # the wrong department returns it with reasons
    login(page, site, "handler_scj")
    page.goto(f"{site}/hotline/{pk}/")
    page.fill("#ret", "井盖属市政设施，不属本局职责，请改派住建部门。")
    act(page, site, pk, "return_ticket")
    assert Ticket.objects.get(pk=pk).status == "returned"

    # the dispatcher re-dispatches to the right department
    right = Department.objects.get(name="大埔县住房和城乡建设局")
    login(page, site, "dispatcher_12345")
    page.goto(f"{site}/hotline/dispatch/")
    page.goto(f"{site}/hotline/{pk}/")
    page.select_option("#lead", str(right.pk))
    act(page, site, pk, "redispatch")
    ticket = Ticket.objects.get(pk=pk)
    assert ticket.status == "dispatched" and ticket.lead_department == right
    expect(page.locator("main")).to_contain_text("不属本局职责")
