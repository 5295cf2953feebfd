"""The public form's "send code": CAPTCHA first, then the SMS caps shared with login codes."""

import pytest
from django.urls import reverse

from yiwang.accounts import throttle

from .test_views import solved_captcha

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def outbox(monkeypatch):
    from yiwang.notify import sms

    sent: list[tuple[str, str]] = []

    class Gateway:
        def send(self, phone, text):
            sent.append((phone, text))

    monkeypatch.setattr(sms, "get_gateway", lambda: Gateway())
    return sent


def ask(client, phone, ip="192.0.2.10", captcha=True):
    data = {"phone": phone, **(solved_captcha("code") if captcha else {})}
    return client.post(reverse("hotline:report_code"), data, REMOTE_ADDR=ip, HTTP_HX_REQUEST="true")


def test_report_page_shows_the_captcha(client):
    html = client.get(reverse("hotline:report")).content.decode()
    assert 'name="code-captcha_1"' in html and "/captcha/image/" in html
    assert 'hx-include="#id_phone, #code-captcha input"' in html


def test_code_needs_the_captcha(client, outbox):
    response = ask(client, "13600001111", captcha=False)
    assert response.status_code == 400
    assert 'hx-swap-oob="true"' in response.content.decode()  # a new picture
    wrong = {"phone": "13600001111", "code-captcha_0": "f" * 40, "code-captcha_1": "AAAA"}
    response = client.post(reverse("hotline:report_code"), wrong)
    assert response.status_code == 302  # without JS: back to the form with the message
    assert outbox == [] and throttle.SMS_GLOBAL.count() == 0
    assert ask(client, "13600001111").status_code == 200
    assert len(outbox) == 1


def test_code_caps_per_address_and_global(client, outbox, settings):
    settings.YIWANG_SMS_IP_MAX_REQUESTS = 2
    assert ask(client, "13600000001").status_code == 200
    assert ask(client, "13600000002").status_code == 200
    assert ask(client, "13600000003").status_code == 400  # same address
    assert len(outbox) == 2
    settings.YIWANG_SMS_DAILY_GLOBAL_MAX = 3
    assert ask(client, "13600000003", ip="192.0.2.20").status_code == 200
    assert ask(client, "13600000004", ip="192.0.2.21").status_code == 400  # the day's budget
    assert len(outbox) == 3


def test_login_codes_and_report_codes_share_the_per_number_cap(client, outbox, settings):
    settings.YIWANG_SMS_NUMBER_DAILY_MAX = 1
    from yiwang.accounts import actions

    actions.send_login_code(phone="13600000001")
    response = ask(client, "13600000001")
    assert response.status_code == 400 and outbox == []
