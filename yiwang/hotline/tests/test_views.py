"""Pages: agent entry, suggestions, lists (scope, query counts), detail actions, public form."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiwang.hotline import actions
from yiwang.hotline.models import Status, Ticket

from .conftest import HULIAO_POINT, PASSWORD, png_file
from .test_actions import dispatched, register


def login(client, user):
    client.force_login(user)
    return client


def solved_captcha(prefix: str) -> dict[str, str]:
    """POST data answering a fresh CAPTCHA correctly (the answer read from its store)."""
    from captcha.models import CaptchaStore

    key = CaptchaStore.generate_key()
    answer = CaptchaStore.objects.get(hashkey=key).response
    return {f"{prefix}-captcha_0": key, f"{prefix}-captcha_1": answer}


def test_agent_registers_a_call(world, client):
    w = world
    login(client, w.agent)
    page = client.get(reverse("hotline:new"))
    assert page.status_code == 200 and b"autofocus" in page.content
    resp = client.post(
        reverse("hotline:new"),
        {
            "caller_phone": "13912345678",
            "caller_name": "王五",
            "type": "complaint",
            "content": "城东路口有流动摊贩占道经营",
            "category": w.stall.pk,
            "region": w.chengdong.pk,
            "address": "城东路口",
            "lat": HULIAO_POINT[0],
            "lng": HULIAO_POINT[1],
            "photos": [png_file()],
        },
    )
    ticket = Ticket.objects.get()
    assert resp.status_code == 302 and resp.url == reverse("hotline:detail", args=[ticket.pk])
    assert ticket.photos.count() == 1 and ticket.registered_by == w.agent


def test_agent_form_shows_specific_errors(world, client):
    login(client, world.agent)
    resp = client.post(
        reverse("hotline:new"),
        {
            "type": "complaint",
            "content": "x",
            "category": world.stall.pk,
            "lat": "30",
            "lng": "120",
        },
    )
    assert resp.status_code == 200 and "不在大埔县境内" in resp.content.decode()
    assert Ticket.objects.count() == 0


def test_agent_pages_denied_to_citizen_and_handler(world, client):
    login(client, world.citizen)
    assert client.get(reverse("hotline:new")).status_code == 403
    login(client, world.handler_scj)
    assert client.get(reverse("hotline:dispatch")).status_code == 403


def test_suggest_and_caller_history(world, client):
    w = world
    register(w)
    login(client, w.agent)
    resp = client.get(reverse("hotline:suggest"), {"content": "有人占道经营摆摊"})
    assert resp.status_code == 200 and f'data-category="{w.stall.pk}"' in resp.content.decode()
    resp = client.get(reverse("hotline:caller"), {"caller_phone": "139 1234 5678"})
    assert "熟食店" in resp.content.decode()
    resp = client.get(reverse("hotline:caller"), {"caller_phone": "13000000000"})
    assert "data-testid" not in resp.content.decode()


def test_suggested_department_follows_the_chosen_town(world, client):
    w = world
    login(client, w.agent)
    url, text = reverse("hotline:suggest"), "有人占道经营摆摊"

    def suggested(**extra) -> str:
        html = client.get(url, {"content": text, **extra}).content.decode()
        assert re.search(r'data-category="(\d+)"', html)[1] == str(w.stall.pk)
        return re.search(r'data-testid="suggested-department" data-department="(\d+)"', html)[1]

    # The same 派单目录 lookup as the dispatcher's for a ticket registered there.
    in_town = register(w, category=w.stall, content="城东路口有人摆摊占道").ticket
    assert actions.suggest_dispatch(in_town)[0] == w.huliao_gov
    assert suggested(region=w.chengdong.pk) == str(w.huliao_gov.pk)
    assert suggested(region=w.huliao.pk) == str(w.huliao_gov.pk)
    # No rule for that town, no town chosen or an unknown one: the county's rule.
    assert suggested(region=w.gaobei.pk) == str(w.zjj.pk)
    assert suggested() == str(w.zjj.pk)
    assert suggested(region="x") == str(w.zjj.pk)


def test_suggest_uses_knowledge_base_when_present(world, client, monkeypatch):
    from types import SimpleNamespace

    from yiwang.hotline import queries

    monkeypatch.setattr(
        queries,
        "suggest_articles",
        lambda text, limit=5: [
            SimpleNamespace(pk=7, title="社保卡补办", answer="带身份证到社保局")
        ],
    )
    login(client, world.agent)
    resp = client.get(reverse("hotline:suggest"), {"q": "社保卡丢了"})
    assert 'data-article="7"' in resp.content.decode()


def test_close_at_once_from_form(world, client):
    login(client, world.agent)
    resp = client.post(
        reverse("hotline:new"),
        {
            "type": "consult",
            "content": "社保卡丢了怎么补办",
            "category": world.price.pk,
            "close_now": "on",
            "answered_from_kb": "7",
        },
    )
    assert resp.status_code == 302
    assert Ticket.objects.get().status == Status.CLOSED


@pytest.mark.parametrize("url", ["hotline:dispatch", "hotline:inbox", "hotline:callbacks"])
def test_list_query_count_independent_of_rows(world, client, url):
    w = world
    user = {"hotline:dispatch": w.dispatcher, "hotline:inbox": w.handler_scj}.get(url, w.agent)

    def make():
        t = dispatched(w, content=f"食品问题{Ticket.objects.count()}")
        if url == "hotline:callbacks":
            t = actions.sign_for(actor=w.handler_scj, ticket=t)
            t = actions.reply(actor=w.handler_scj, ticket=t, text="已处理")
            actions.close(actor=w.dispatcher, ticket=t)
        elif url == "hotline:dispatch":
            actions.return_ticket(actor=w.handler_scj, ticket=t, reason="错派")

    make()
    login(client, user)
    client.get(reverse(url))  # warm the category cache
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse(url)).status_code == 200
    for _ in range(4):
        make()
    with CaptureQueriesContext(connection) as five:
        resp = client.get(reverse(url))
    assert len(re.findall(r"/hotline/\d+/\"", resp.content.decode())) >= 5
    assert len(five) == len(one)


def test_dispatch_list_scoped_by_town(world, client):
    w = world
    register(w, region=w.gaobei, lat=None, lng=None, content="高陂镇的事")
    register(w, content="湖寮镇的事")
    login(client, w.dispatcher_gaobei)
    html = client.get(reverse("hotline:dispatch")).content.decode()
    assert "高陂镇的事" in html and "湖寮镇的事" not in html


def test_dispatcher_sees_duplicates_with_their_own_description(world, client):
    w = world
    first = register(w).ticket
    second = register(w, content="城东市场熟食店的卤肉变质了，吃了拉肚子").ticket
    login(client, w.dispatcher)
    html = client.get(reverse("hotline:detail", args=[second.pk])).content.decode()
    listed = re.search(r'data-testid="duplicates">(.*?)</ul>', html, re.S)[1]
    assert f'href="{reverse("hotline:detail", args=[first.pk])}"' in listed
    assert f">{first.number}</a>" in listed and first.content in listed
    assert first.tokens not in listed


def test_detail_and_actions_via_pages(world, client):
    w = world
    t = register(w).ticket
    login(client, w.dispatcher)
    html = client.get(reverse("hotline:detail", args=[t.pk])).content.decode()
    assert 'data-testid="dispatch-form"' in html and f'value="{w.scj.pk}" selected' in html
    client.post(
        reverse("hotline:act", args=[t.pk, "dispatch"]),
        {"lead_department": w.scj.pk, "co_departments": [w.zjj.pk]},
    )
    t.refresh_from_db()
    assert t.status == Status.DISPATCHED
    # Another department's handler cannot see it; the lead's handler signs for it.
    login(client, w.handler_huliao)
    assert client.get(reverse("hotline:detail", args=[t.pk])).status_code == 404
    assert client.post(reverse("hotline:act", args=[t.pk, "sign_for"])).status_code == 404
    login(client, w.handler_scj)
    assert (
        'data-testid="sign-for"'
        in client.get(reverse("hotline:detail", args=[t.pk])).content.decode()
    )
    client.post(reverse("hotline:act", args=[t.pk, "sign_for"]))
    client.post(reverse("hotline:act", args=[t.pk, "reply"]), {"text": "已处理"})
    t.refresh_from_db()
    assert t.status == Status.REPLIED
    # A co-handler sees it but may not act.
    login(client, w.handler_zjj)
    html = client.get(reverse("hotline:detail", args=[t.pk])).content.decode()
    assert "没有需要您办理" in html


def test_public_report_with_sms_code(world, client, settings, tmp_path):
    cache.clear()
    sent = []

    class Gateway:
        def send(self, phone, text):
            sent.append((phone, text))

    from yiwang.notify import sms

    original = sms.get_gateway
    sms.get_gateway = lambda: Gateway()
    try:
        data = {
            "phone": "13600001111",
            "type": "complaint",
            "category": world.noise.pk,
            "content": "晚上十点后广场舞音响太吵",
            "region": world.huliao.pk,
        }
        resp = client.post(reverse("hotline:report"), {**data, "code": "000000"})
        assert "过期" in resp.content.decode()
        client.post(
            reverse("hotline:report_code"), {"phone": "13600001111", **solved_captcha("code")}
        )
        code = re.search(r"\d{6}", sent[0][1]).group(0)
        wrong = "111111" if code != "111111" else "222222"
        resp = client.post(reverse("hotline:report"), {**data, "code": wrong})
        assert Ticket.objects.count() == 0
        resp = client.post(reverse("hotline:report"), {**data, "code": code})
        assert resp.status_code == 200
        t = Ticket.objects.get()
        assert t.channel == "web" and t.caller_phone == "13600001111" and t.citizen is None
        # The code is used once.
        client.post(reverse("hotline:report"), {**data, "code": code})
        assert Ticket.objects.count() == 1
    finally:
        sms.get_gateway = original


def test_citizen_report_and_mine(world, client):
    w = world
    login(client, w.citizen)
    resp = client.post(
        reverse("hotline:report"),
        {"type": "suggestion", "category": w.noise.pk, "content": "建议增设隔音屏"},
    )
    assert resp.status_code == 200
    t = Ticket.objects.get()
    assert t.citizen == w.citizen
    assert t.number in client.get(reverse("hotline:mine")).content.decode()
    assert client.get(reverse("hotline:mine_detail", args=[t.pk])).status_code == 200
    other = register(w).ticket
    assert client.get(reverse("hotline:mine_detail", args=[other.pk])).status_code == 404
    assert PASSWORD


@pytest.mark.parametrize(
    "name",
    [
        "hotline:new",
        "hotline:callbacks",
        "hotline:dispatch",
        "hotline:inbox",
        "hotline:caller",
        "hotline:suggest",
    ],
)
def test_logged_out_staff_pages_send_to_the_login_page(world, client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_logged_out_ticket_pages_send_to_the_login_page(world, client):
    t = dispatched(world)
    for response in (
        client.get(reverse("hotline:detail", args=[t.pk])),
        client.post(reverse("hotline:act", args=[t.pk, "sign_for"])),
        client.post(reverse("hotline:reveal_phone", args=[t.pk])),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    t.refresh_from_db()
    assert t.status == Status.DISPATCHED


def test_timeline_names_a_department_only_for_its_handlers_steps(world):
    w = world
    t = dispatched(w)
    actions.sign_for(actor=w.handler_scj, ticket=t)
    by_action = {e.action: e.department_id for e in t.events.all()}
    assert by_action["dispatch"] is None and by_action["register"] is None
    assert by_action["sign"] == w.scj.pk


def test_timeline_shows_the_outcome_of_an_extension_decision(world, client):
    w = world
    t = dispatched(w)
    req = actions.request_extension(actor=w.handler_scj, ticket=t, days=3, reason="需送检")
    actions.decide_extension(actor=w.dispatcher, request=req, approve=True)
    html = login(client, w.dispatcher).get(reverse("hotline:detail", args=[t.pk])).content
    assert b'data-testid="extension-outcome" data-approved="true"' in html
