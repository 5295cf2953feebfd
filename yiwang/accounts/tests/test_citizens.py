import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from yiwang.accounts import actions
from yiwang.accounts.models import Kind, RealNameLevel, User
from yiwang.accounts.queries import user_by_id_number, user_by_phone
from yiwang.audit.models import AuditEntry

from .conftest import PASSWORD, make_id_number

pytestmark = pytest.mark.django_db


def register(**overrides):
    data = {
        "actor": None,
        "username": "wangfang",
        "password": PASSWORD,
        "real_name": "王芳",
        "id_number": make_id_number("19920718", 402),
        "phone": "13900139000",
    }
    data.update(overrides)
    return actions.create_citizen(**data)


def test_registration_creates_basic_citizen_with_encrypted_personal_data():
    number = make_id_number("19920718", 402)
    user = register(id_number=f" {number[:6]} {number[6:]} ", phone="139 0013 9000")
    user.refresh_from_db()
    assert user.kind == Kind.CITIZEN
    assert user.realname_level == RealNameLevel.BASIC
    assert user.check_password(PASSWORD)
    assert user.id_number == number
    assert user.phone == "13900139000"
    assert user.masked_id_number == number[:6] + "********" + number[-4:]
    # Stored encrypted: the raw columns never hold the numbers.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id_number, phone FROM {User._meta.db_table} WHERE id = %s",  # noqa: S608
            [user.pk],
        )
        stored_id, stored_phone = cursor.fetchone()
    assert number not in stored_id and "13900139000" not in stored_phone
    assert user_by_id_number(user.id_number) == user
    assert user_by_phone("139 0013 9000") == user
    entry = AuditEntry.objects.get(action="accounts.citizen_created")
    assert entry.actor_label == "self-registration"
    assert entry.actor_id is None
    assert entry.summary["after"]["id_number"] == user.masked_id_number  # masked, not plaintext


def test_lowercase_x_is_normalised_to_upper_case():
    base = "44142219800101015"
    from stdnum.cn import ric

    number = base + ric.calc_check_digit(base + "0")
    if not number.endswith("X"):  # find a number whose check digit is X
        for seq in range(1000):
            base = f"44142219800101{seq:03d}"
            number = base + ric.calc_check_digit(base + "0")
            if number.endswith("X"):
                break
    user = register(id_number=number.lower())
    assert user.id_number == number
    assert user_by_id_number(number.lower()) == user


def test_invalid_check_digit_is_rejected_with_specific_message_and_no_row():
    with pytest.raises(ValidationError) as exc:
        register(id_number="110105194912310021")
    messages = exc.value.message_dict["id_number"]
    assert len(messages) == 1
    assert "110105194912310021" in messages[0]
    assert "check digit" in messages[0] or "校验码" in messages[0]
    error = exc.value.error_dict["id_number"][0]
    assert error.code == "invalid_resident_id_checksum"
    with translation.override("zh-hans"):
        chinese = ValidationError(error.message, params=error.params).messages[0]
    assert "110105194912310021不是有效的居民身份证号码" in chinese and "校验码" in chinese
    assert not User.objects.exists()
    assert not AuditEntry.objects.filter(action="accounts.citizen_created").exists()


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("4414221990010112", "invalid_resident_id_length"),
        ("44142219901301123" + "0", None),  # month 13
        ("4414221990010112A4", "invalid_resident_id_format"),
    ],
)
def test_other_invalid_ids_name_the_problem(number, code):
    with pytest.raises(ValidationError) as exc:
        register(id_number=number)
    error = exc.value.error_dict["id_number"][0]
    if code:
        assert error.code == code
    else:
        assert error.code in {"invalid_resident_id_checksum", "invalid_resident_id_birth_date"}
    assert not User.objects.exists()


def test_birth_date_error_when_check_digit_is_right():
    from stdnum.cn import ric

    base = "44142219901301123"  # 13th month
    number = base + ric.calc_check_digit(base + "0")
    with pytest.raises(ValidationError) as exc:
        register(id_number=number)
    assert exc.value.error_dict["id_number"][0].code == "invalid_resident_id_birth_date"


def test_duplicate_id_number_is_refused(citizen):
    with pytest.raises(ValidationError) as exc:
        register(id_number=citizen.id_number)
    error = exc.value.error_dict["id_number"][0]
    assert error.code == "duplicate_id_number"
    assert User.objects.count() == 1


def test_duplicate_phone_and_username_are_refused(citizen):
    with pytest.raises(ValidationError) as exc:
        register(username="LIMEI", phone="+86 138-0013-8001")
    assert exc.value.error_dict["phone"][0].code == "duplicate_phone"
    assert exc.value.error_dict["username"][0].code == "duplicate_username"
    assert User.objects.count() == 1


def test_invalid_phone_is_refused():
    with pytest.raises(ValidationError) as exc:
        register(phone="2380013800")
    assert exc.value.error_dict["phone"][0].code == "invalid_phone"


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("abc12", "password_too_short"),
        ("abcdefghij", "password_classes"),
        ("12345678", "password_entirely_numeric"),
        ("password1", "password_too_common"),
    ],
)
def test_password_policy(password, code):
    with pytest.raises(ValidationError) as exc:
        register(password=password)
    codes = {e.code for e in exc.value.error_dict["password"]}
    assert code in codes
    assert not User.objects.exists()


def test_all_field_errors_reported_together():
    with pytest.raises(ValidationError) as exc:
        register(username="", real_name="", id_number="123", phone="1", password="x")
    assert set(exc.value.error_dict) == {"username", "real_name", "id_number", "phone", "password"}


def test_citizen_cannot_register_someone_else(citizen):
    with pytest.raises(PermissionDenied):
        register(actor=citizen)
    assert User.objects.count() == 1


def test_staff_with_post_may_register_for_a_resident(staff):
    user = register(actor=staff)
    entry = AuditEntry.objects.filter(action="accounts.citizen_created").last()
    assert entry.actor_id == staff.pk
    assert entry.object_id == str(user.pk)


def test_dabu_resident_born_before_1988_is_accepted_and_unknown_region_refused():
    # 441422 exists only since 1988, but numbers carry the code of the place of issue.
    user = register(id_number=make_id_number("19700101", 15))
    assert user.id_number.startswith("441422197001010")
    with pytest.raises(ValidationError) as exc:
        register(
            username="other",
            phone="13900139009",
            id_number=make_id_number("19700101", 16, "999999"),
        )
    assert exc.value.error_dict["id_number"][0].code == "invalid_resident_id_region"
