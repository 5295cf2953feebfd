"""Caps on SMS codes and self-registration, their CAPTCHA, and answers that do not tell
whether an ID number or phone is registered."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from yiwang.accounts import actions, throttle
from yiwang.accounts.models import SmsCode, User

from .conftest import make_id_number, solved_captcha

pytestmark = [pytest.mark.django_db]


def send_code(client, phone, ip="192.0.2.10", captcha=True):
    data = {"phone": phone, **(solved_captcha("sms") if captcha else {})}
    return client.post(reverse("accounts:sms-send"), data, REMOTE_ADDR=ip, HTTP_HX_REQUEST="true")


def phone_codes(response) -> list[str]:
    return [e.code for e in response.context["sms_form"].errors.as_data().get("phone", [])]


# --- SMS codes -----------------------------------------------------------------------------------


def test_sms_code_needs_the_captcha(client, citizen, sms_outbox):
    response = send_code(client, "13800138001", captcha=False)
    assert response.status_code == 400
    errors = response.context["sms_captcha"].errors.as_data()["captcha"]
    assert errors[0].code == "captcha_required"
    assert 'hx-swap-oob="true"' in response.content.decode()  # a new picture comes along
    data = {"phone": "13800138001", "sms-captcha_0": "0" * 40, "sms-captcha_1": "ABCD"}
    response = client.post(reverse("accounts:sms-send"), data)
    assert response.status_code == 400
    errors = response.context["sms_captcha"].errors.as_data()["captcha"]
    assert errors[0].code == "captcha_invalid"
    assert not SmsCode.objects.exists() and sms_outbox == []
    assert throttle.SMS_GLOBAL.count() == 0
    assert send_code(client, "13800138001").status_code == 200


def test_sms_cap_per_address(client, settings):
    settings.YIWANG_SMS_IP_MAX_REQUESTS = 2
    assert send_code(client, "13900000001").status_code == 200
    assert send_code(client, "13900000002").status_code == 200
    response = send_code(client, "13900000003")
    assert response.status_code == 400
    assert phone_codes(response) == ["sms_ip_limit"]
    assert SmsCode.objects.count() == 2
    assert send_code(client, "13900000003", ip="192.0.2.11").status_code == 200


def test_sms_cap_per_number_per_day(client, settings):
    settings.YIWANG_SMS_NUMBER_DAILY_MAX = 1
    settings.YIWANG_SMS_IP_MAX_REQUESTS = 100
    assert send_code(client, "13900000001").status_code == 200
    SmsCode.objects.all().delete()  # past the one-a-minute rule
    response = send_code(client, "13900000001", ip="192.0.2.50")
    assert phone_codes(response) == ["sms_number_limit"]
    assert not SmsCode.objects.exists()


def test_sms_global_daily_cap_is_logged(client, settings, caplog):
    settings.YIWANG_SMS_DAILY_GLOBAL_MAX = 2
    assert send_code(client, "13900000001", ip="192.0.2.1").status_code == 200
    assert send_code(client, "13900000002", ip="192.0.2.2").status_code == 200
    with caplog.at_level(logging.ERROR, logger="yiwang.accounts.throttle"):
        response = send_code(client, "13900000003", ip="192.0.2.3")
        send_code(client, "13900000004", ip="192.0.2.4")
    assert phone_codes(response) == ["sms_global_limit"]
    assert len([r for r in caplog.records if "YIWANG_SMS_DAILY_GLOBAL_MAX" in r.getMessage()]) == 1
    assert SmsCode.objects.count() == 2
    # Commands have no address; the global cap still applies.
    with pytest.raises(ValidationError) as exc:
        actions.send_login_code(phone="13900000005")
    assert exc.value.error_dict["phone"][0].code == "sms_global_limit"


def test_caps_answer_alike_for_registered_and_unknown_numbers(client, citizen, settings):
    settings.YIWANG_SMS_IP_MAX_REQUESTS = 1
    assert send_code(client, "13800138001").status_code == 200  # registered
    assert phone_codes(send_code(client, "13911112222")) == ["sms_ip_limit"]  # unknown
    settings.YIWANG_SMS_IP_MAX_REQUESTS = 10
    assert send_code(client, "13911112222", ip="192.0.2.12").status_code == 200


# --- registration --------------------------------------------------------------------------------


def registration(**overrides):
    data = {
        "username": "wangfang",
        "real_name": "王芳",
        "id_number": make_id_number("19920718", 402),
        "phone": "13900139000",
        "password1": "Hakka2026x",
        "password2": "Hakka2026x",
        **solved_captcha(),
    }
    data.update(overrides)
    return data


def register(client, ip="192.0.2.10", **overrides):
    return client.post(reverse("accounts:register"), registration(**overrides), REMOTE_ADDR=ip)


def test_registration_needs_the_captcha(client):
    data = registration()
    del data["captcha_1"]
    response = client.post(reverse("accounts:register"), data)
    assert response.status_code == 400
    assert response.context["form"].errors.as_data()["captcha"][0].code == "captcha_required"
    assert not User.objects.exists()
    assert throttle.REGISTER_IP.count("127.0.0.1") == 0


def test_duplicate_id_number_and_phone_get_the_same_answer(client, citizen):
    by_id = register(client, id_number=citizen.id_number)
    by_phone = register(client, phone="+86 138-0013-8001", id_number=make_id_number("19800101", 7))
    for response in (by_id, by_phone):
        assert response.status_code == 400
        form = response.context["form"]
        assert list(form.errors) == ["__all__"]
        assert [e.code for e in form.non_field_errors().as_data()] == ["not_registrable"]
    assert by_id.context["form"].errors == by_phone.context["form"].errors
    assert User.objects.count() == 1


def test_duplicate_is_not_told_while_other_fields_are_wrong(client, citizen):
    """Otherwise a bad password would make the form an oracle for who is registered."""
    response = register(client, id_number=citizen.id_number, password1="abc", password2="abc")
    assert list(response.context["form"].errors) == ["password1"]
    fresh = register(client, id_number=make_id_number("19800101", 7), password1="a", password2="a")
    assert list(fresh.context["form"].errors) == ["password1"]


def test_registration_cap_per_address(client, citizen, settings):
    settings.YIWANG_REGISTER_IP_DAILY_MAX = 2
    register(client, id_number=citizen.id_number)  # a refused duplicate counts
    assert register(client).status_code == 302
    client.logout()
    response = register(
        client, username="other", id_number=make_id_number("19800101", 7), phone="13900139001"
    )
    assert response.status_code == 400
    codes = [e.code for e in response.context["form"].non_field_errors().as_data()]
    assert codes == ["register_ip_limit"]
    assert not User.objects.filter(username="other").exists()
    response = register(
        client,
        ip="192.0.2.20",
        username="other",
        id_number=make_id_number("19800101", 7),
        phone="13900139001",
    )
    assert response.status_code == 302


def test_registration_global_daily_cap(client, settings):
    settings.YIWANG_REGISTER_DAILY_GLOBAL_MAX = 1
    assert register(client, ip="192.0.2.1").status_code == 302
    client.logout()
    response = register(
        client,
        ip="192.0.2.2",
        username="other",
        id_number=make_id_number("19800101", 7),
        phone="13900139001",
    )
    codes = [e.code for e in response.context["form"].non_field_errors().as_data()]
    assert codes == ["register_global_limit"]
    assert User.objects.count() == 1
