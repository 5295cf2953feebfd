"""Login throttles keyed by account and (address, account), the client address behind a
proxy, and the CAPTCHA that appears after the first failures."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from yiwang.accounts import actions
from yiwang.audit.context import client_ip
from yiwang.audit.models import AuditEntry

from .conftest import PASSWORD, code_from, solved_captcha

pytestmark = [pytest.mark.django_db]

WRONG = "wrong-Pass1"
PROXY = "10.0.0.1"


def post_login(client, username, password, ip="192.0.2.10", captcha=True, **meta):
    data = {"username": username, "password": password}
    if captcha:
        data.update(solved_captcha())
    return client.post(reverse("accounts:login"), data, REMOTE_ADDR=ip, **meta)


def error_codes(response, form="form") -> list[str]:
    return [e.code for e in response.context[form].non_field_errors().as_data()]


def logged_in(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


# --- the client address -------------------------------------------------------------------


def request_from(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_forwarded_header_is_ignored_without_trusted_proxies(settings):
    settings.YIWANG_TRUSTED_PROXIES = []
    assert client_ip(request_from("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


def test_forwarded_header_is_ignored_from_an_untrusted_address(settings):
    settings.YIWANG_TRUSTED_PROXIES = [PROXY]
    assert client_ip(request_from("10.0.0.2", "203.0.113.9")) == "10.0.0.2"


def test_trusted_proxy_gives_the_right_most_untrusted_address(settings):
    settings.YIWANG_TRUSTED_PROXIES = [PROXY, "172.16.0.0/12"]
    # The client forged the first entry; the proxies appended the rest.
    request = request_from(PROXY, "1.1.1.1, 203.0.113.9, 172.16.5.4")
    assert client_ip(request) == "203.0.113.9"
    assert client_ip(request_from(PROXY, "203.0.113.9:51234")) == "203.0.113.9"
    assert client_ip(request_from(PROXY, "[2001:db8::7]:443")) == "2001:db8::7"
    assert client_ip(request_from("::ffff:10.0.0.1", "203.0.113.9")) == "203.0.113.9"
    # Only proxies in the header, or garbage: the nearest address a proxy vouched for.
    assert client_ip(request_from(PROXY, "172.16.0.9")) == "172.16.0.9"
    assert client_ip(request_from(PROXY, "not-an-ip, 172.16.0.9")) == "172.16.0.9"
    assert client_ip(request_from(PROXY)) == PROXY


def test_trusted_proxies_may_be_a_comma_separated_string(settings):
    settings.YIWANG_TRUSTED_PROXIES = "10.0.0.0/24, bad-entry"
    assert client_ip(request_from("10.0.0.77", "203.0.113.9")) == "203.0.113.9"


# --- one noisy address does not lock out the others ------------------------------------------


def test_many_failures_for_one_account_do_not_block_another_account(client, citizen, citizen2):
    for _ in range(25):
        post_login(client, "limei", WRONG)
    response = post_login(client, "zhangwei", PASSWORD)
    assert response.status_code == 302 and logged_in(client, citizen2)


def test_failures_for_many_unknown_names_do_not_block_a_correct_login(client, citizen):
    """An office NAT: 25 people mistyping their names from one address."""
    for i in range(25):
        post_login(client, f"someone{i}", WRONG)
    response = post_login(client, "limei", PASSWORD)
    assert response.status_code == 302 and logged_in(client, citizen)


def test_per_address_ceiling(client, citizen, settings):
    settings.YIWANG_LOGIN_IP_MAX_FAILURES = 4
    for i in range(4):
        post_login(client, f"someone{i}", WRONG)
    response = post_login(client, "limei", PASSWORD)
    assert response.status_code == 400 and not logged_in(client, citizen)
    assert error_codes(response) == ["ip_throttled"]
    response = post_login(client, "limei", PASSWORD, ip="192.0.2.99")
    assert response.status_code == 302


def test_per_account_limit_across_addresses(client, citizen, citizen2, settings):
    settings.YIWANG_LOGIN_MAX_FAILURES = 100  # the lockout would stop the guessing first
    settings.YIWANG_LOGIN_ACCOUNT_MAX_FAILURES = 6
    for i in range(6):
        post_login(client, "limei", WRONG, ip=f"198.51.100.{i + 1}")
    response = post_login(client, "limei", PASSWORD, ip="198.51.100.200")
    assert response.status_code == 400 and not logged_in(client, citizen)
    assert error_codes(response) == ["account_throttled"]
    citizen.refresh_from_db()
    assert citizen.failed_logins == 6  # the refused attempt was not even checked
    # The other account, from one of those addresses, is fine.
    response = post_login(client, "zhangwei", PASSWORD, ip="198.51.100.1")
    assert response.status_code == 302


def test_per_address_and_account_limit(client, citizen, settings):
    settings.YIWANG_LOGIN_MAX_FAILURES = 100
    settings.YIWANG_LOGIN_IP_ACCOUNT_MAX_FAILURES = 3
    for _ in range(3):
        post_login(client, "limei", WRONG)
    response = post_login(client, "limei", PASSWORD)
    assert error_codes(response) == ["ip_account_throttled"]
    # The owner elsewhere logs in; the phone number counts as the same account.
    response = post_login(client, "13800138001", PASSWORD, ip="192.0.2.44")
    assert response.status_code == 302 and logged_in(client, citizen)


def test_unknown_names_are_answered_and_locked_like_accounts(client, citizen):
    answers = {}
    for name in ("limei", "nobody"):
        codes = []
        for _ in range(6):
            response = post_login(client, name, WRONG)
            codes.append(error_codes(response))
        answers[name] = codes
        page = response.content.decode()
        assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", page)  # "locked until …"
    assert answers["limei"] == answers["nobody"]
    assert answers["nobody"] == [["invalid_login"]] * 4 + [["locked"]] * 2


def test_throttle_keyed_by_forwarded_address_behind_a_trusted_proxy(client, citizen, settings):
    settings.YIWANG_TRUSTED_PROXIES = [PROXY]
    settings.YIWANG_LOGIN_IP_MAX_FAILURES = 3
    for i in range(3):
        post_login(client, f"someone{i}", WRONG, ip=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    blocked = post_login(client, "limei", PASSWORD, ip=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert error_codes(blocked) == ["ip_throttled"]
    # Another client behind the same proxy is not affected.
    response = post_login(client, "limei", PASSWORD, ip=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert response.status_code == 302 and logged_in(client, citizen)
    entry = AuditEntry.objects.filter(action="accounts.login").latest("seq")
    assert entry.ip == "203.0.113.6"


def test_forged_header_is_ignored_from_an_untrusted_address(client, citizen, settings):
    settings.YIWANG_TRUSTED_PROXIES = [PROXY]
    settings.YIWANG_LOGIN_IP_MAX_FAILURES = 3
    for i in range(3):
        # Each attempt pretends to come from somewhere else.
        post_login(client, f"someone{i}", WRONG, ip="10.9.9.9", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}")
    response = post_login(client, "limei", PASSWORD, ip="10.9.9.9", HTTP_X_FORWARDED_FOR="1.2.3.77")
    assert error_codes(response) == ["ip_throttled"]


def test_audit_entry_has_the_client_address_behind_a_trusted_proxy(client, citizen, settings):
    settings.YIWANG_TRUSTED_PROXIES = [PROXY]
    post_login(client, "limei", WRONG, ip=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.8")
    entry = AuditEntry.objects.get(action="accounts.login_failed")
    assert entry.ip == "203.0.113.8"
    settings.YIWANG_TRUSTED_PROXIES = []
    post_login(client, "limei", WRONG, ip=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.8")
    entry = AuditEntry.objects.filter(action="accounts.login_failed").latest("seq")
    assert entry.ip == PROXY


# --- SMS-code login ---------------------------------------------------------------------------


def test_sms_code_login_is_throttled_by_phone(
    client, citizen, citizen2, sms_outbox, django_capture_on_commit_callbacks, settings
):
    settings.YIWANG_LOGIN_IP_ACCOUNT_MAX_FAILURES = 3
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_login_code(phone="13800138001")
    code = code_from(sms_outbox)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    url = reverse("accounts:sms-login")
    for _ in range(3):
        client.post(url, {"phone": "13800138001", "code": wrong}, REMOTE_ADDR="192.0.2.10")
    response = client.post(url, {"phone": "138 0013 8001", "code": code}, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 400 and not logged_in(client, citizen)
    assert error_codes(response, "sms_form") == ["ip_account_throttled"]
    # The right code from another address still works.
    response = client.post(url, {"phone": "13800138001", "code": code}, REMOTE_ADDR="192.0.2.11")
    assert response.status_code == 302 and logged_in(client, citizen)


# --- CAPTCHA on the password form -------------------------------------------------------------


def captcha_from(page: str, name: str = "captcha") -> dict[str, str]:
    """Answer the CAPTCHA drawn on ``page`` (the answer read from its store)."""
    from captcha.models import CaptchaStore

    key = re.search(rf'name="{name}_0" value="([0-9a-f]{{40}})"', page).group(1)
    img = re.search(r'<img src="(/captcha/image/[0-9a-f]{40}/)"', page).group(1)
    assert key in img
    return {f"{name}_0": key, f"{name}_1": CaptchaStore.objects.get(hashkey=key).response}


def test_captcha_after_three_failures(client, citizen):
    url = reverse("accounts:login")
    assert 'name="captcha_1"' not in client.get(url).content.decode()
    for _ in range(3):
        response = post_login(client, "limei", WRONG, captcha=False)
        assert error_codes(response) == ["invalid_login"]
    page = response.content.decode()
    assert 'name="captcha_1"' in page  # the redrawn form asks for it
    assert 'name="captcha_1"' in client.get(url, REMOTE_ADDR="192.0.2.10").content.decode()
    # Another address is not asked yet for a different account...
    assert 'name="captcha_1"' not in client.get(url, REMOTE_ADDR="192.0.2.77").content.decode()
    # ... but this account is, from anywhere.
    response = post_login(client, "limei", PASSWORD, ip="192.0.2.77", captcha=False)
    assert response.context["form"].errors.as_data()["captcha"][0].code == "captcha_required"

    # Missing or wrong: a field error, and the password is not checked or counted.
    data = {"username": "limei", "password": PASSWORD}
    response = client.post(url, data, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 400 and not logged_in(client, citizen)
    assert response.context["form"].errors.as_data()["captcha"][0].code == "captcha_required"
    answer = captcha_from(response.content.decode())
    response = client.post(url, {**data, **answer, "captcha_1": "zzzz"}, REMOTE_ADDR="192.0.2.10")
    assert response.context["form"].errors.as_data()["captcha"][0].code == "captcha_invalid"
    # One try per picture: the right answer to the used one fails too.
    response = client.post(url, {**data, **answer}, REMOTE_ADDR="192.0.2.10")
    assert response.context["form"].errors.as_data()["captcha"][0].code == "captcha_invalid"
    citizen.refresh_from_db()
    assert citizen.failed_logins == 3
    assert AuditEntry.objects.filter(action="accounts.login_failed").count() == 3

    answer = captcha_from(response.content.decode())
    response = client.post(url, {**data, **answer}, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 302 and logged_in(client, citizen)


def test_captcha_picture_is_drawn_locally_under_the_csp(client):
    page = client.get(reverse("accounts:register"))
    html = page.content.decode()
    img = re.search(r'<img src="(/captcha/image/[0-9a-f]{40}/)"', html).group(1)
    assert "img-src 'self'" in page["Content-Security-Policy"]
    assert 'style="' not in html and "<script>" not in html
    picture = client.get(img)
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
    assert picture.content.startswith(b"\x89PNG")


def test_captcha_refresh_gives_a_new_picture(client):
    url = reverse("accounts:captcha")
    first = client.get(url, {"name": "sms-captcha"}, HTTP_HX_REQUEST="true")
    second = client.get(url, {"name": "sms-captcha"}, HTTP_HX_REQUEST="true")
    assert first.status_code == second.status_code == 200
    keys = [
        re.search(r'value="([0-9a-f]{40})"', r.content.decode()).group(1) for r in (first, second)
    ]
    assert keys[0] != keys[1]
    assert 'id="id_sms-captcha-box"' in first.content.decode()
    assert client.get(url, {"name": "<script>"}).status_code == 400


def test_challenge_avoids_look_alikes():
    from yiwang.accounts.captchas import challenge

    for _ in range(200):
        text, answer = challenge()
        assert len(text) == 4 and answer == text.lower()
        assert not set(text) & set("0O1IL2Z5S8B")


def test_nul_in_the_user_name_is_a_form_error(citizen):
    from yiwang.accounts.forms import LoginForm

    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="192.0.2.10")
    for _ in range(3):
        LoginForm(request, data={"username": "limei", "password": WRONG}).is_valid()
    form = LoginForm(request, data={"username": "li\x00mei", "password": PASSWORD})
    assert not form.is_valid()
    assert form.errors.as_data()["username"][0].code == "null_characters_not_allowed"
