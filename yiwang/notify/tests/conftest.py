import pytest

from yiwang.testing import county


@pytest.fixture
def citizen(db):
    return county.make_citizen("limei")


@pytest.fixture
def citizen2(django_user_model):
    """A user without a phone number (registration requires one, so made directly)."""
    return django_user_model.objects.create_user(
        username="citizen2", password=county.PASSWORD, real_name="张伟"
    )


@pytest.fixture
def sms_log(settings, tmp_path):
    path = tmp_path / "nested" / "sms.log"
    settings.YIWANG_SMS_LOG = str(path)
    settings.YIWANG_SMS_GATEWAY = "yiwang.notify.sms.ConsoleFileGateway"
    return path
