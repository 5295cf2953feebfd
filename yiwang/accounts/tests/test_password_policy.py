"""等保 password policy: staff vs citizens, the history of five, expiry forcing a change."""

import datetime
import itertools

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts import actions
from yiwang.accounts.models import PasswordHistory, User
from yiwang.audit.actors import SYSTEM

from .conftest import PASSWORD, make_id_number

pytestmark = [pytest.mark.django_db]


def codes(password, user) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {e.code for e in exc.error_list}
    return set()


def test_staff_need_ten_characters_of_three_classes(staff):
    assert "password_too_short" in codes("Abcdef1!x", staff)
    assert "password_classes" in codes("abcdefghij12", staff)  # two classes
    assert codes("Abcdefghij12", staff) == set()  # upper, lower, digit
    assert codes("abcdefgh#12", staff) == set()  # lower, symbol, digit
    assert codes("Huliao@2026.gov", staff) == set()
    root = User(username="root", is_superuser=True, kind="citizen")
    assert "password_too_short" in codes("abcdefg12", root)


def test_citizens_need_eight_characters_with_letters_and_digits(citizen):
    assert codes("chaxiang88", citizen) == set()
    assert "password_too_short" in codes("ab12", citizen)
    assert "password_classes" in codes("abcdefghij", citizen)
    assert "password_too_common" in codes("password1", citizen)


def test_staff_creation_refuses_a_weak_password(regions, departments):
    with pytest.raises(ValidationError) as excinfo:
        actions.create_staff(
            actor=SYSTEM,
            username="weak",
            password="abcdefgh12",
            real_name="弱口令",
            posts=[
                {"role": "reviewer", "department": departments["scj"], "region": regions["county"]}
            ],
        )
    assert excinfo.value.error_dict["password"][0].code == "password_classes"
    assert not User.objects.filter(username="weak").exists()


def test_citizen_registration_accepts_the_citizen_rule(db):
    user = actions.create_citizen(
        actor=None,
        username="wangfang",
        password="chaxiang88",
        real_name="王芳",
        id_number=make_id_number("19920202", 155),
        phone="13800138111",
    )
    assert user.check_password("chaxiang88")


def test_new_password_may_not_repeat_the_last_five(staff):
    history = [PASSWORD] + [f"Newpass-{n}-2026" for n in range(1, 6)]
    for old, new in itertools.pairwise(history):
        actions.change_password(actor=staff, old=old, new=new)
    assert PasswordHistory.objects.filter(user=staff).count() == 5
    for reused in history[2:5]:
        with pytest.raises(ValidationError) as excinfo:
            actions.change_password(actor=staff, old=history[-1], new=reused)
        assert excinfo.value.error_dict["new"][0].code == "password_reused"
    # The sixth-last is out of the history again.
    actions.change_password(actor=staff, old=history[-1], new=history[0])
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_password_changes_record_when(client, staff):
    assert staff.password_changed_at is not None
    User.objects.filter(pk=staff.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=30)
    )
    client.force_login(staff)
    response = client.post(
        reverse("accounts:password"),
        {"old": PASSWORD, "new1": "Another-pass-9", "new2": "Another-pass-9"},
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert timezone.now() - staff.password_changed_at < datetime.timedelta(minutes=1)


def expire(user, days=181):
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_expired_staff_password_must_be_changed_before_anything_else(client, staff, settings):
    assert settings.YIWANG_STAFF_PASSWORD_MAX_AGE_DAYS == 180
    expire(staff)
    response = client.post(
        reverse("accounts:login"), {"username": "reviewer_scj", "password": PASSWORD}
    )
    assert response["Location"] == reverse("cases:workbench")
    forced = client.get(reverse("cases:workbench"))
    assert forced.status_code == 302
    assert forced["Location"].startswith(reverse("accounts:password-expired"))
    assert client.get(reverse("accounts:profile")).status_code == 302
    page = client.get(forced["Location"])
    assert (
        page.status_code == 200 and 'data-testid="password-expired-form"' in page.content.decode()
    )

    same = client.post(
        reverse("accounts:password-expired"),
        {"old": PASSWORD, "new1": PASSWORD, "new2": PASSWORD, "next": "/cases/workbench/"},
    )
    assert same.status_code == 400
    assert client.get(reverse("cases:workbench")).status_code == 302

    done = client.post(
        reverse("accounts:password-expired"),
        {"old": PASSWORD, "new1": "Fresh-pass-2027", "new2": "Fresh-pass-2027", "next": "/cases/"},
    )
    assert done.status_code == 302 and done["Location"] == "/cases/"
    assert "_auth_user_id" in client.session
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_expiry_applies_to_staff_only_and_can_be_switched_off(client, staff, citizen, settings):
    expire(citizen, days=1000)
    client.force_login(citizen)
    assert client.get(reverse("accounts:profile")).status_code == 200
    expire(staff)
    settings.YIWANG_STAFF_PASSWORD_MAX_AGE_DAYS = 0
    client.force_login(staff)
    assert client.get(reverse("accounts:profile")).status_code == 200
    settings.YIWANG_STAFF_PASSWORD_MAX_AGE_DAYS = 180
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 403 and response.json()["code"] == "password_expired"
