import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts import actions
from yiwang.accounts.models import User
from yiwang.accounts.queries import is_locked
from yiwang.audit.actors import SYSTEM
from yiwang.audit.models import AuditEntry

from .conftest import PASSWORD, solved_captcha

pytestmark = [pytest.mark.django_db]


def post_login(client, username, password, **extra):
    """Log in through the form, answering the CAPTCHA in case it is asked for."""
    data = {"username": username, "password": password, **solved_captcha(), **extra}
    return client.post(reverse("accounts:login"), data)


def test_session_settings_give_an_idle_timeout():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_login_page_offers_password_and_sms(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="{reverse("accounts:login")}"' in html
    assert f'formaction="{reverse("accounts:sms-send")}"' in html
    assert f'action="{reverse("accounts:sms-login")}"' in html
    assert 'name="username"' in html and 'name="phone"' in html and 'name="code"' in html
    assert "<script>" not in html and 'style="' not in html  # CSP


def test_citizen_login_redirects_to_my_cases_and_is_audited(client, citizen):
    response = post_login(client, "limei", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:mine")
    assert client.session["_auth_user_id"] == str(citizen.pk)
    entry = AuditEntry.objects.get(action="accounts.login")
    assert entry.actor_id == citizen.pk and entry.summary["after"]["method"] == "password"


def test_login_with_phone_number_and_safe_next(client, citizen):
    response = post_login(client, "138 0013 8001", PASSWORD, next="/services/")
    assert response["Location"] == "/services/"


def test_unsafe_next_is_ignored(client, citizen):
    response = post_login(client, "limei", PASSWORD, next="https://evil.example/")
    assert response["Location"] == reverse("cases:mine")


def test_staff_login_redirects_to_workbench(client, staff):
    response = post_login(client, "reviewer_scj", PASSWORD)
    assert response["Location"] == reverse("cases:workbench")


def test_wrong_password_shows_error_and_counts(client, citizen):
    response = post_login(client, "limei", "wrong-Pass1")
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    citizen.refresh_from_db()
    assert citizen.failed_logins == 1
    assert response.context["form"].non_field_errors()[0]
    assert (
        AuditEntry.objects.filter(action="accounts.login_failed", object_id=str(citizen.pk)).count()
        == 1
    )


def test_lockout_after_five_failures_then_unlock_after_the_period(client, citizen):
    assert settings.YIWANG_LOGIN_MAX_FAILURES == 5
    for _ in range(4):
        post_login(client, "limei", "wrong-Pass1")
    response = post_login(client, "limei", "wrong-Pass1")
    citizen.refresh_from_db()
    assert is_locked(citizen)
    expected = citizen.locked_until - timezone.now()
    assert datetime.timedelta(minutes=settings.YIWANG_LOGIN_LOCK_MINUTES - 1) < expected
    until = timezone.localtime(citizen.locked_until).strftime("%Y-%m-%d %H:%M")
    assert until in response.content.decode()
    assert AuditEntry.objects.filter(action="accounts.locked", object_id=str(citizen.pk)).exists()

    # Even the right password is refused while locked, and says until when.
    response = post_login(client, "limei", PASSWORD)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert until in response.content.decode()

    # The period passes.
    User.objects.filter(pk=citizen.pk).update(
        locked_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = post_login(client, "limei", PASSWORD)
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.failed_logins == 0 and citizen.locked_until is None


def test_success_resets_failure_counter(citizen):
    actions.register_failed_login(citizen)
    actions.register_failed_login(citizen)
    actions.register_successful_login(citizen)
    citizen.refresh_from_db()
    assert citizen.failed_logins == 0


def test_unknown_user_gets_the_same_message(client, citizen):
    unknown = post_login(client, "nobody", "wrong-Pass1")
    known = post_login(client, "limei", "wrong-Pass1")
    assert unknown.context["form"].non_field_errors() == known.context["form"].non_field_errors()


def test_logout_is_post_only_and_audited(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="accounts.logout", actor_id=citizen.pk).exists()


def test_admin_can_unlock(citizen):
    for _ in range(5):
        actions.register_failed_login(citizen)
    citizen.refresh_from_db()
    assert is_locked(citizen)
    actions.unlock_account(actor=SYSTEM, user=citizen)
    citizen.refresh_from_db()
    assert not is_locked(citizen)
    assert AuditEntry.objects.filter(action="accounts.unlocked").exists()
