import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts import actions
from yiwang.accounts.models import SmsCode, User
from yiwang.audit.models import AuditEntry
from yiwang.notify import sms

from .conftest import code_from, solved_captcha

pytestmark = [pytest.mark.django_db]

PHONE = "13800138001"


def test_code_is_texted_hashed_and_logs_in(citizen, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_login_code(phone=PHONE)
    assert len(sms_outbox) == 1
    phone, _text = sms_outbox[0]
    assert phone == PHONE
    code = code_from(sms_outbox)
    stored = SmsCode.objects.get()
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    lifetime = stored.expires_at - stored.created_at
    assert abs(lifetime - datetime.timedelta(minutes=5)) < datetime.timedelta(seconds=5)
    assert actions.verify_login_code(phone=PHONE, code=code) == citizen
    with pytest.raises(ValidationError) as exc:
        actions.verify_login_code(phone=PHONE, code=code)
    assert exc.value.error_dict["code"][0].code == "used"


def test_unregistered_number_gets_same_answer_but_no_text(
    db, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_login_code(phone="13911112222")
    assert sms_outbox == []
    assert SmsCode.objects.count() == 1  # rate limits apply alike
    with pytest.raises(ValidationError) as exc:
        actions.verify_login_code(phone="13911112222", code="123456")
    assert exc.value.error_dict["code"][0].code == "wrong_code"


def test_expired_code(citizen, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_login_code(phone=PHONE)
    code = code_from(sms_outbox)
    SmsCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError) as exc:
        actions.verify_login_code(phone=PHONE, code=code)
    assert exc.value.error_dict["code"][0].code == "expired"


def test_five_wrong_attempts_kill_the_code(citizen, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_login_code(phone=PHONE)
    code = code_from(sms_outbox)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    codes = []
    for _ in range(5):
        with pytest.raises(ValidationError) as exc:
            actions.verify_login_code(phone=PHONE, code=wrong)
        codes.append(exc.value.error_dict["code"][0].code)
    assert codes == ["wrong_code"] * 4 + ["too_many_attempts"]
    assert SmsCode.objects.get().attempts == 5  # counted although an error was raised
    with pytest.raises(ValidationError) as exc:
        actions.verify_login_code(phone=PHONE, code=code)
    assert exc.value.error_dict["code"][0].code == "too_many_attempts"
    assert AuditEntry.objects.filter(action="accounts.sms_code_rejected").count() == 6


def test_rate_limits(citizen, sms_outbox):
    actions.send_login_code(phone=PHONE)
    with pytest.raises(ValidationError) as exc:
        actions.send_login_code(phone=PHONE)
    assert exc.value.error_dict["phone"][0].code == "too_soon"
    # Ten a day.
    SmsCode.objects.update(created_at=timezone.now() - datetime.timedelta(seconds=61))
    for _ in range(9):
        actions.send_login_code(phone=PHONE)
        SmsCode.objects.update(created_at=timezone.localtime().replace(hour=0, minute=0, second=1))
    assert SmsCode.objects.count() == 10
    with pytest.raises(ValidationError) as exc:
        actions.send_login_code(phone=PHONE)
    assert exc.value.error_dict["phone"][0].code == "daily_limit"


def test_new_code_replaces_old_one(citizen, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_login_code(phone=PHONE)
    first = code_from(sms_outbox)
    SmsCode.objects.update(created_at=timezone.now() - datetime.timedelta(seconds=61))
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_login_code(phone=PHONE)
    second = code_from(sms_outbox)
    if first != second:
        with pytest.raises(ValidationError):
            actions.verify_login_code(phone=PHONE, code=first)
    assert actions.verify_login_code(phone=PHONE, code=second) == citizen


def test_bad_input():
    with pytest.raises(ValidationError) as exc:
        actions.send_login_code(phone="12345")
    assert exc.value.error_dict["phone"][0].code == "invalid_phone"
    with pytest.raises(ValidationError) as exc:
        actions.verify_login_code(phone=PHONE, code="12ab")
    assert exc.value.error_dict["code"][0].code == "invalid_code"


def test_locked_account_cannot_use_sms(citizen, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_login_code(phone=PHONE)
    User.objects.filter(pk=citizen.pk).update(
        locked_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    with pytest.raises(ValidationError) as exc:
        actions.verify_login_code(phone=PHONE, code=code_from(sms_outbox))
    assert exc.value.error_dict["code"][0].code == "locked"


def test_sms_login_through_the_views_without_js(
    client, citizen, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:sms-send"),
            {"phone": PHONE, "next": "/services/", **solved_captcha("sms")},
        )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    page = client.get(response["Location"])
    assert PHONE in page.content.decode()  # phone kept for the second step
    response = client.post(
        reverse("accounts:sms-login"),
        {"phone": PHONE, "code": code_from(sms_outbox), "next": "/services/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/services/"
    assert client.session["_auth_user_id"] == str(citizen.pk)
    assert AuditEntry.objects.get(action="accounts.login").summary["after"]["method"] == "sms"


def test_sms_views_with_htmx_and_errors(client, citizen, sms_outbox):
    url = reverse("accounts:sms-send")
    data = {"phone": PHONE, **solved_captcha("sms")}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    data = {"phone": PHONE, **solved_captcha("sms")}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    response = client.post(reverse("accounts:sms-login"), {"phone": PHONE, "code": "000000"})
    assert response.status_code == 400
    assert response.context["sms_form"].errors["code"]
    assert "_auth_user_id" not in client.session


def test_sms_log_file_gateway_receives_the_code(
    citizen, settings, tmp_path, django_capture_on_commit_callbacks
):
    """With the default file gateway the code can be read from the SMS log."""
    settings.YIWANG_SMS_GATEWAY = "yiwang.notify.sms.ConsoleFileGateway"
    settings.YIWANG_SMS_LOG = str(tmp_path / "sms.log")
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_login_code(phone=PHONE)
    line = (tmp_path / "sms.log").read_text(encoding="utf-8").strip().splitlines()[-1]
    _stamp, phone, text = line.split("\t")
    assert phone == PHONE
    assert actions.verify_login_code(phone=PHONE, code=code_from([(phone, text)])) == citizen


def test_no_code_sent_yet(citizen):
    with pytest.raises(ValidationError) as exc:
        actions.verify_login_code(phone=PHONE, code="123456")
    assert exc.value.error_dict["code"][0].code == "no_code"
    assert not AuditEntry.objects.filter(action="accounts.sms_code_rejected").exists()


def test_locked_account_keeps_its_code_until_unlocked(
    citizen, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_login_code(phone=PHONE)
    code = code_from(sms_outbox)
    User.objects.filter(pk=citizen.pk).update(
        locked_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    with pytest.raises(ValidationError):
        actions.verify_login_code(phone=PHONE, code=code)
    stored = SmsCode.objects.get()
    assert not stored.used and stored.attempts == 0  # refused, but neither spent nor counted
    assert AuditEntry.objects.get(action="accounts.sms_code_rejected").summary["after"] == {
        "reason": "locked"
    }
    User.objects.filter(pk=citizen.pk).update(locked_until=None)
    assert actions.verify_login_code(phone=PHONE, code=code) == citizen
    assert SmsCode.objects.get().used


def test_failed_send_gives_the_same_answer_and_is_logged(
    citizen, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    class BrokenGateway:
        def send(self, phone, text):
            raise ConnectionError("gateway down")

    monkeypatch.setattr(sms, "get_gateway", BrokenGateway)
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_login_code(phone=PHONE)
    assert SmsCode.objects.count() == 1
    assert "could not be sent" in caplog.text
    assert PHONE not in caplog.text  # masked
