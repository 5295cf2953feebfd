import pytest


@pytest.fixture
def citizen(django_user_model):
    return django_user_model.objects.create_user(
        username="citizen", password="Dabu@2026.gov", real_name="李梅", phone="13800135678"
    )


@pytest.fixture
def citizen2(django_user_model):
    return django_user_model.objects.create_user(
        username="citizen2", password="Dabu@2026.gov", real_name="张伟"
    )


@pytest.fixture
def sms_log(settings, tmp_path):
    path = tmp_path / "nested" / "sms.log"
    settings.YIWANG_SMS_LOG = str(path)
    settings.YIWANG_SMS_GATEWAY = "yiwang.notify.sms.ConsoleFileGateway"
    return path
