"""SMS gateway adapter: the console/file default and loading from settings."""

import logging
import re

import pytest

from yiwang.notify.sms import ConsoleFileGateway, SmsError, SmsGateway, get_gateway


class FailingGateway:
    calls: list = []

    def send(self, phone: str, text: str) -> None:
        FailingGateway.calls.append((phone, text))
        raise SmsError("provider down")


class NotAGateway:
    pass


def test_console_file_gateway_appends_lines_and_creates_directory(sms_log, caplog):
    assert not sms_log.parent.exists()
    gateway = get_gateway()
    assert isinstance(gateway, ConsoleFileGateway)
    assert isinstance(gateway, SmsGateway)
    with caplog.at_level(logging.INFO, logger="yiwang.notify.sms"):
        gateway.send("13800135678", "您的验证码是 123456")
        gateway.send("13900001111", "第一行\n第二行")
    lines = sms_log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    stamp, phone, text = lines[0].split("\t")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", stamp)
    assert (phone, text) == ("13800135678", "您的验证码是 123456")
    assert lines[1].endswith("\t13900001111\t第一行 第二行")
    # The console log masks the number; the file keeps it whole.
    assert "138****5678" in caplog.text
    assert "13800135678" not in caplog.text


def test_explicit_path(tmp_path):
    gateway = ConsoleFileGateway(tmp_path / "x.log")
    gateway.send("13800135678", "hi")
    assert (tmp_path / "x.log").read_text(encoding="utf-8").endswith("\t13800135678\thi\n")


def test_get_gateway_loads_the_configured_class(settings):
    settings.YIWANG_SMS_GATEWAY = "yiwang.notify.tests.test_sms.FailingGateway"
    gateway = get_gateway()
    assert isinstance(gateway, FailingGateway)
    with pytest.raises(SmsError):
        gateway.send("13800135678", "x")


def test_get_gateway_rejects_a_class_without_send(settings):
    settings.YIWANG_SMS_GATEWAY = "yiwang.notify.tests.test_sms.NotAGateway"
    with pytest.raises(TypeError, match="send"):
        get_gateway()


def test_get_gateway_reports_a_missing_class(settings):
    settings.YIWANG_SMS_GATEWAY = "yiwang.notify.sms.NoSuchGateway"
    with pytest.raises(ImportError):
        get_gateway()
