"""Second factor: enrolment, the two-step login, replay, lockout, recovery codes, reset, SMS."""

import time

import pyotp
import pytest
from django.db import connection
from django.urls import reverse

from yiwang.accounts import actions, mfa
from yiwang.accounts.login_flow import PASSED_KEY, PENDING_KEY
from yiwang.accounts.models import RecoveryCode, TotpDevice, User
from yiwang.accounts.queries import is_locked
from yiwang.accounts.testing import force_login_with_second_factor
from yiwang.audit.actors import SYSTEM
from yiwang.audit.models import AuditEntry

from .conftest import PASSWORD, code_from

pytestmark = [pytest.mark.django_db]


def make_staff(regions, departments, username, role, **extra):
    department = None if role in ("authority", "auditor") else departments["scj"]
    return actions.create_staff(
        actor=SYSTEM,
        username=username,
        password=PASSWORD,
        real_name=username,
        posts=[{"role": role, "department": department, "region": regions["county"]}],
        **extra,
    )


@pytest.fixture
def authority(regions, departments):
    return make_staff(regions, departments, "authority1", "authority", phone="13800138009")


def next_code(secret: str) -> str:
    """A code of the next time step: valid (drift ±1) and never used by enrolment."""
    return pyotp.TOTP(secret).at(int(time.time()) + 30)


def wrong_code(secret: str) -> str:
    totp, now = pyotp.TOTP(secret), int(time.time())
    valid = {totp.at(now + offset) for offset in (-60, -30, 0, 30, 60)}
    return next(c for c in (f"{n:06d}" for n in range(1000)) if c not in valid)


def enrol(user) -> tuple[str, list[str]]:
    device = mfa.start_enrolment(actor=user)
    codes = mfa.confirm_enrolment(actor=user, code=pyotp.TOTP(device.secret).now())
    return device.secret, codes


def post_login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def post_code(client, code, **extra):
    return client.post(reverse("accounts:mfa-verify"), {"action": "code", "code": code, **extra})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_required_for_privileged_roles_superusers_and_optionally_all_staff(
    regions, departments, staff, citizen, settings
):
    root = User.objects.create_superuser("root", password=PASSWORD)
    for role in ("authority", "auditor", "dept_admin"):
        assert mfa.required_for(make_staff(regions, departments, f"u_{role}", role))
    assert mfa.required_for(root)
    assert not mfa.required_for(staff)
    assert not mfa.required_for(citizen)
    settings.YIWANG_MFA_ALL_STAFF = True
    assert mfa.required_for(User.objects.get(pk=staff.pk))
    assert not mfa.required_for(citizen)
    settings.YIWANG_MFA_ALL_STAFF = False
    settings.YIWANG_MFA_REQUIRED_ROLES = ["reviewer"]
    assert mfa.required_for(User.objects.get(pk=staff.pk))


def test_required_role_without_device_enrols_before_being_logged_in(client, authority):
    response = post_login(client, "authority1")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:mfa-enrol")
    assert not logged_in(client)
    assert client.session[PENDING_KEY]["user"] == authority.pk
    # Nothing else is reachable with only the password.
    assert client.get(reverse("accounts:profile")).status_code == 302

    page = client.get(reverse("accounts:mfa-enrol"))
    assert page.status_code == 200
    html = page.content.decode()
    device = TotpDevice.objects.get(user=authority)
    assert device.confirmed_at is None
    assert 'data-testid="mfa-qr"' in html and 'src="data:image/svg+xml;base64,' in html
    assert mfa.grouped_secret(device.secret) in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html

    wrong = client.post(reverse("accounts:mfa-enrol"), {"code": wrong_code(device.secret)})
    assert wrong.status_code == 400
    assert wrong.context["form"].has_error("code", "wrong_code")
    assert not logged_in(client)
    assert TotpDevice.objects.get(pk=device.pk).confirmed_at is None
    assert AuditEntry.objects.filter(action="accounts.mfa_failed", object_id=str(authority.pk))

    done = client.post(reverse("accounts:mfa-enrol"), {"code": pyotp.TOTP(device.secret).now()})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert done.content.decode().count('data-testid="recovery-code"') == 10
    assert done.context["continue_url"] == reverse("cases:workbench")
    assert client.session["_auth_user_id"] == str(authority.pk)
    assert client.session[PASSED_KEY]["factor"] == "totp"
    assert PENDING_KEY not in client.session
    stored = set(RecoveryCode.objects.filter(user=authority).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not stored & {c.replace("-", "") for c in codes}
    assert AuditEntry.objects.filter(action="accounts.mfa_enrolled", actor_id=authority.pk)
    login = AuditEntry.objects.get(action="accounts.login", actor_id=authority.pk)
    assert login.summary["after"] == {"method": "password", "second_factor": "totp"}


def test_secret_is_encrypted_at_rest(authority):
    device = mfa.start_enrolment(actor=authority)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpdevice WHERE id = %s", [device.pk])
        raw = cursor.fetchone()[0]
    assert raw and device.secret not in raw


def test_enrolled_staff_log_in_in_two_steps(client, authority):
    secret, _codes = enrol(authority)
    response = post_login(client, "authority1")
    assert response["Location"] == reverse("accounts:mfa-verify")
    assert not logged_in(client)
    page = client.get(reverse("accounts:mfa-verify"))
    assert page.status_code == 200 and not page.context["form"].is_bound
    assert 'autocomplete="one-time-code"' in page.content.decode()
    response = post_code(client, next_code(secret))
    assert response.status_code == 302 and response["Location"] == reverse("cases:workbench")
    assert client.session["_auth_user_id"] == str(authority.pk)
    assert client.session[PASSED_KEY]["factor"] == "totp"


def test_staff_without_requirement_or_device_log_in_with_the_password(client, staff):
    response = post_login(client, "reviewer_scj")
    assert response["Location"] == reverse("cases:workbench")
    assert logged_in(client) and PASSED_KEY not in client.session
    assert not TotpDevice.objects.exists()


def test_optional_staff_who_enrolled_are_asked_too(client, staff):
    secret, _codes = enrol(staff)
    response = post_login(client, "reviewer_scj")
    assert response["Location"] == reverse("accounts:mfa-verify") and not logged_in(client)
    assert post_code(client, next_code(secret)).status_code == 302 and logged_in(client)


def test_a_code_is_accepted_only_once(client, authority):
    secret, _codes = enrol(authority)
    code = next_code(secret)
    post_login(client, "authority1")
    assert post_code(client, code).status_code == 302
    client.post(reverse("accounts:logout"))
    post_login(client, "authority1")
    replay = post_code(client, code)
    assert replay.status_code == 400
    assert replay.context["form"].has_error("code", "replayed")
    assert not logged_in(client)
    failure = AuditEntry.objects.filter(action="accounts.mfa_failed").latest("seq")
    assert failure.summary["after"]["reason"] == "replayed"


def test_wrong_codes_count_towards_the_lockout(client, authority, settings):
    secret, _codes = enrol(authority)
    post_login(client, "authority1")
    for _ in range(settings.YIWANG_LOGIN_MAX_FAILURES):
        response = post_code(client, wrong_code(secret))
        assert response.status_code == 400 and not logged_in(client)
    authority.refresh_from_db()
    assert is_locked(authority)
    assert (
        AuditEntry.objects.filter(action="accounts.mfa_failed").count()
        == settings.YIWANG_LOGIN_MAX_FAILURES
    )
    assert AuditEntry.objects.filter(action="accounts.locked", object_id=str(authority.pk))
    # Locked: even the right code is refused (and the pending login is gone).
    with pytest.raises(Exception) as excinfo:
        mfa.verify(user=authority, code=next_code(secret))
    assert "locked" in str(excinfo.value.error_dict["code"][0].code)
    assert PENDING_KEY not in client.session


def test_malformed_code_is_refused_without_counting(client, authority):
    enrol(authority)
    post_login(client, "authority1")
    response = post_code(client, "12ab")
    assert response.status_code == 400
    assert response.context["form"].has_error("code", "invalid_format")
    authority.refresh_from_db()
    assert authority.failed_logins == 0


def test_recovery_codes_work_once(client, authority):
    _secret, codes = enrol(authority)
    post_login(client, "authority1")
    assert post_code(client, codes[0].lower()).status_code == 302 and logged_in(client)
    assert client.session[PASSED_KEY]["factor"] == "recovery"
    used = AuditEntry.objects.get(action="accounts.mfa_recovery_code_used")
    assert used.summary["after"]["remaining"] == 9
    client.post(reverse("accounts:logout"))
    post_login(client, "authority1")
    again = post_code(client, codes[0])
    assert again.status_code == 400 and not logged_in(client)
    assert again.context["form"].has_error("code", "wrong_recovery_code")


def test_pending_login_expires(client, authority, settings):
    secret, _codes = enrol(authority)
    post_login(client, "authority1")
    session = client.session
    pending = session[PENDING_KEY]
    pending["since"] -= settings.YIWANG_MFA_PENDING_SECONDS + 1
    session[PENDING_KEY] = pending
    session.save()
    response = post_code(client, next_code(secret))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert not logged_in(client)


def test_profile_shows_status_and_renews_recovery_codes(client, staff, citizen):
    force_login_with_second_factor(client, staff)
    assert 'data-testid="mfa-off"' in client.get(reverse("accounts:profile")).content.decode()
    secret, old_codes = enrol(staff)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert 'data-testid="mfa-on"' in html and reverse("accounts:mfa-disable") in html

    bad = client.post(reverse("accounts:mfa-recovery-codes"), {"code": wrong_code(secret)})
    assert bad.status_code == 400
    new = client.post(reverse("accounts:mfa-recovery-codes"), {"code": next_code(secret)})
    assert new.status_code == 200 and len(new.context["codes"]) == 10
    with pytest.raises(Exception):  # noqa: B017 - any refusal; the old codes are gone
        mfa.verify(user=staff, code=old_codes[1])
    assert AuditEntry.objects.filter(action="accounts.mfa_recovery_codes_renewed")

    client.force_login(citizen)
    assert (
        'data-testid="mfa-status"' not in client.get(reverse("accounts:profile")).content.decode()
    )


def test_disable_needs_a_current_code_and_is_refused_where_required(client, staff, authority):
    secret, _codes = enrol(staff)
    force_login_with_second_factor(client, staff)
    bad = client.post(reverse("accounts:mfa-disable"), {"code": wrong_code(secret)})
    assert bad.status_code == 400 and mfa.is_enrolled(staff)
    ok = client.post(reverse("accounts:mfa-disable"), {"code": next_code(secret)})
    assert ok.status_code == 302 and not mfa.is_enrolled(staff)
    assert not RecoveryCode.objects.filter(user=staff).exists()
    assert AuditEntry.objects.filter(action="accounts.mfa_disabled", actor_id=staff.pk)

    secret, _codes = enrol(authority)
    force_login_with_second_factor(client, authority)
    refused = client.post(reverse("accounts:mfa-disable"), {"code": next_code(secret)})
    assert refused.status_code == 403 and mfa.is_enrolled(authority)


def test_re_enrolment_replaces_the_old_authenticator(client, staff):
    old_secret, _codes = enrol(staff)
    force_login_with_second_factor(client, staff)
    page = client.get(reverse("accounts:mfa-enrol"))
    assert page.status_code == 200
    new_device = TotpDevice.objects.get(user=staff, confirmed_at__isnull=True)
    assert new_device.secret != old_secret
    done = client.post(reverse("accounts:mfa-enrol"), {"code": next_code(new_device.secret)})
    assert done.status_code == 200
    assert list(TotpDevice.objects.filter(user=staff).values_list("pk", flat=True)) == [
        new_device.pk
    ]
    latest = AuditEntry.objects.filter(action="accounts.mfa_enrolled", actor_id=staff.pk)
    assert latest.latest("seq").summary["after"]["replaced"] is True


def test_administrator_resets_a_second_factor_others_may_not(
    client, regions, departments, staff, authority
):
    enrol(staff)
    force_login_with_second_factor(client, staff)
    assert client.get(reverse("accounts:mfa-reset")).status_code == 403
    with pytest.raises(Exception):  # noqa: B017
        mfa.reset(actor=staff, user=authority, reason="x")

    force_login_with_second_factor(client, authority)
    missing = client.post(reverse("accounts:mfa-reset"), {"username": "reviewer_scj", "reason": ""})
    assert missing.status_code == 400 and mfa.is_enrolled(staff)
    unknown = client.post(reverse("accounts:mfa-reset"), {"username": "nobody", "reason": "lost"})
    assert unknown.status_code == 400
    response = client.post(
        reverse("accounts:mfa-reset"), {"username": "reviewer_scj", "reason": "phone lost"}
    )
    assert response.status_code == 302 and not mfa.is_enrolled(staff)
    entry = AuditEntry.objects.get(action="accounts.mfa_reset")
    assert entry.actor_id == authority.pk and entry.object_id == str(staff.pk)
    assert entry.summary["after"]["reason"] == "phone lost"

    root = User.objects.create_superuser("root", password=PASSWORD)
    enrol(root)
    denied = client.post(reverse("accounts:mfa-reset"), {"username": "root", "reason": "lost"})
    assert denied.status_code == 403 and mfa.is_enrolled(root)


def test_reset_page_needs_the_second_factor_in_this_session(client, authority):
    client.force_login(authority)
    response = client.get(reverse("accounts:mfa-reset"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa-verify"))


def test_sms_fallback_when_enabled(
    client, authority, settings, sms_outbox, django_capture_on_commit_callbacks
):
    enrol(authority)
    post_login(client, "authority1")
    off = client.post(reverse("accounts:mfa-verify"), {"action": "send_sms"})
    assert off.status_code == 400 and not sms_outbox

    settings.YIWANG_MFA_SMS_FALLBACK = True
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("accounts:mfa-verify"), {"action": "send_sms"})
    assert sent.status_code == 200 and sms_outbox[-1][0] == "13800138009"
    wrong = client.post(reverse("accounts:mfa-verify"), {"action": "sms", "sms_code": "99999x"})
    assert wrong.status_code == 400 and not logged_in(client)
    code = code_from(sms_outbox)
    bad = "000000" if code != "000000" else "111111"
    assert (
        client.post(reverse("accounts:mfa-verify"), {"action": "sms", "sms_code": bad}).status_code
        == 400
    )
    authority.refresh_from_db()
    assert authority.failed_logins == 1
    ok = client.post(reverse("accounts:mfa-verify"), {"action": "sms", "sms_code": code})
    assert ok.status_code == 302 and logged_in(client)
    assert client.session[PASSED_KEY]["factor"] == "sms"
