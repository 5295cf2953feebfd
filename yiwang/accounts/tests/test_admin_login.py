"""The Django admin: one login path (the platform's), and only with the second factor."""

import time

import pyotp
import pytest
from django.urls import reverse
from django.utils.http import urlencode

from yiwang.accounts import mfa
from yiwang.accounts.login_flow import PASSED_KEY
from yiwang.accounts.models import User
from yiwang.accounts.queries import is_locked
from yiwang.accounts.testing import force_login_with_second_factor
from yiwang.audit.models import AuditEntry

from .conftest import PASSWORD, solved_captcha

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", password=PASSWORD)


def enrol(user) -> str:
    device = mfa.start_enrolment(actor=user)
    mfa.confirm_enrolment(actor=user, code=pyotp.TOTP(device.secret).now())
    return device.secret


def next_code(secret: str) -> str:
    return pyotp.TOTP(secret).at(int(time.time()) + 30)


def test_admin_login_page_redirects_to_the_platform_login(client):
    response = client.get("/admin/login/?next=/admin/regions/region/")
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('accounts:login')}?{urlencode({'next': '/admin/regions/region/'})}"
    )
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_thirty_wrong_passwords_posted_to_the_admin_never_log_in_and_lock(client, root):
    for _ in range(30):
        response = client.post(
            "/admin/login/",
            {"username": "root", "password": "Wrong-pass-1", "next": "/admin/", **solved_captcha()},
        )
        assert response.status_code != 302
        assert "_auth_user_id" not in client.session
    root.refresh_from_db()
    assert is_locked(root)
    failures = AuditEntry.objects.filter(action="accounts.login_failed", object_id=str(root.pk))
    assert failures.count() >= 5
    assert AuditEntry.objects.filter(action="accounts.locked", object_id=str(root.pk)).exists()
    # The right password is refused too while the account is locked.
    client.post(
        "/admin/login/",
        {"username": "root", "password": PASSWORD, "next": "/admin/", **solved_captcha()},
    )
    assert "_auth_user_id" not in client.session
    assert not AuditEntry.objects.filter(action="accounts.login").exists()


def test_superuser_logs_in_to_the_admin_through_both_steps(client, root):
    secret = enrol(root)
    response = client.post(
        "/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:mfa-verify")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("accounts:mfa-verify"), {"code": next_code(secret)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    login = AuditEntry.objects.get(action="accounts.login", actor_id=root.pk)
    assert login.summary["after"]["second_factor"] == "totp"


def test_superuser_without_an_authenticator_sets_one_up_before_the_admin(client, root):
    response = client.post(
        "/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == reverse("accounts:mfa-enrol")
    assert "_auth_user_id" not in client.session


def test_a_session_without_the_second_factor_cannot_open_the_admin(client, root):
    client.force_login(root)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 200
    final = response.redirect_chain[-1][0]
    assert final.startswith(reverse("accounts:mfa-enrol")), response.redirect_chain
    assert client.get("/admin/accounts/user/").status_code == 302

    # Step-up: with an authenticator, prove it and the admin opens.
    secret = enrol(root)
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response["Location"].startswith(reverse("accounts:mfa-verify"))
    response = client.post(
        response["Location"], {"code": next_code(secret), "next": "/admin/accounts/user/"}
    )
    assert response["Location"] == "/admin/accounts/user/"
    assert client.session[PASSED_KEY]["factor"] == "totp"
    assert client.get("/admin/accounts/user/").status_code == 200
    assert AuditEntry.objects.filter(action="accounts.mfa_verified", actor_id=root.pk).exists()


def test_staff_without_admin_rights_are_refused_not_looped(client, staff):
    force_login_with_second_factor(client, staff)
    assert client.get("/admin/login/").status_code == 403
