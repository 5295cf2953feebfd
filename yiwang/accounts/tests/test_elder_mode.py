"""Elder-friendly mode of a logged-in user: the account decides what the page shows, the
cookie follows it at login and on every toggle, and one click always flips the page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from yiwang.accounts import actions
from yiwang.audit.models import AuditEntry

from .conftest import PASSWORD, solved_captcha

pytestmark = [pytest.mark.django_db]

PROFILE = "/accounts/me/"
ELDER_PAGE = re.compile(r"<html[^>]*\bclass=\"elder\"")


def is_elder_page(response) -> bool:
    assert response.status_code == 200
    return bool(ELDER_PAGE.search(response.content.decode()))


def profile_offers(client) -> str:
    """The value the profile's elder-mode form would submit ("1" = turn on, "0" = turn off)."""
    html = client.get(PROFILE).content.decode()
    action = re.escape(reverse("accounts:elder-mode"))
    form = re.search(rf'action="{action}".*?</form>', html, re.S)
    assert form is not None
    offered = re.search(r'name="enabled" value="([01])"', form.group(0))
    assert offered is not None
    return offered.group(1)


@pytest.mark.parametrize("cookie", ["0", None])
def test_account_on_wins_over_cookie_and_one_toggle_turns_it_off(client, citizen, cookie):
    actions.set_elder_mode(actor=citizen, enabled=True)
    client.force_login(citizen)
    if cookie is not None:
        client.cookies["elder"] = cookie
    assert is_elder_page(client.get(PROFILE))

    response = client.post("/elder-mode", {"next": PROFILE})

    assert response.status_code == 302
    assert response.cookies["elder"].value == "0"
    citizen.refresh_from_db()
    assert citizen.elder_mode is False
    assert not is_elder_page(client.get(PROFILE))


def test_stale_cookie_does_not_keep_elder_mode_on_and_one_toggle_turns_it_on(client, citizen):
    client.force_login(citizen)
    client.cookies["elder"] = "1"  # left over from before logging in
    assert not is_elder_page(client.get(PROFILE))
    assert profile_offers(client) == "1"

    response = client.post("/elder-mode", {"next": PROFILE})

    assert response.cookies["elder"].value == "1"
    citizen.refresh_from_db()
    assert citizen.elder_mode is True
    assert is_elder_page(client.get(PROFILE))
    assert AuditEntry.objects.filter(action="accounts.elder_mode").count() == 1


def test_profile_offers_to_turn_elder_mode_off_when_it_is_on(client, citizen):
    actions.set_elder_mode(actor=citizen, enabled=True)
    client.force_login(citizen)
    client.cookies["elder"] = "0"
    assert profile_offers(client) == "0"

    client.post(reverse("accounts:elder-mode"), {"enabled": profile_offers(client)})

    citizen.refresh_from_db()
    assert citizen.elder_mode is False
    assert profile_offers(client) == "1"


@pytest.mark.parametrize(("account", "cookie", "expected"), [(False, "1", "0"), (True, "0", "1")])
def test_login_sets_the_cookie_to_the_account_setting(client, citizen, account, cookie, expected):
    actions.set_elder_mode(actor=citizen, enabled=account)
    client.cookies["elder"] = cookie
    data = {"username": citizen.username, "password": PASSWORD, **solved_captcha()}

    response = client.post(reverse("accounts:login"), data)

    assert response.status_code == 302
    assert response.cookies["elder"].value == expected
    assert is_elder_page(client.get(PROFILE)) is account


def test_profile_toggle_requires_login(client, citizen):
    response = client.post(reverse("accounts:elder-mode"), {"enabled": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "elder" not in response.cookies
    citizen.refresh_from_db()
    assert citizen.elder_mode is False
    assert not AuditEntry.objects.filter(action="accounts.elder_mode").exists()
