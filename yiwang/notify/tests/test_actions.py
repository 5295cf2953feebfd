"""notify / mark_read / mark_all_read."""

import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from yiwang.notify import actions
from yiwang.notify.models import Message
from yiwang.notify.tests.test_sms import FailingGateway

pytestmark = pytest.mark.django_db


def test_notify_creates_an_unread_message(citizen):
    message = actions.notify(
        user=citizen, title="材料补正通知", body="请补充营业执照复印件。", link="/cases/1/"
    )
    assert Message.objects.get() == message
    assert message.recipient == citizen
    assert message.read_at is None and not message.is_read
    assert (message.title, message.body, message.link) == (
        "材料补正通知",
        "请补充营业执照复印件。",
        "/cases/1/",
    )


def test_notify_is_part_of_the_callers_transaction(
    citizen, sms_log, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        actions.notify(user=citizen, title="受理通知", body="已受理", sms=True)
        raise RuntimeError("the calling action failed")
    assert not Message.objects.exists()
    assert callbacks == []
    assert not sms_log.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"title": "ok", "link": "javascript:alert(1)"}, "link"),
        ({"title": "ok", "link": "//evil.example/"}, "link"),
        ({"title": "ok", "link": "cases/1"}, "link"),
    ],
)
def test_bad_input_is_rejected_and_nothing_written(citizen, kwargs, field):
    with pytest.raises(ValidationError) as excinfo:
        actions.notify(user=citizen, body="", **kwargs)
    assert field in excinfo.value.message_dict
    assert not Message.objects.exists()


def test_sms_copy_is_sent_after_commit(citizen, sms_log, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.notify(
            user=citizen, title="审批通过", body="您的申请已获批准，请凭身份证领取。", sms=True
        )
    assert not sms_log.exists()  # nothing before commit
    assert len(callbacks) == 1
    callbacks[0]()
    line = sms_log.read_text(encoding="utf-8").strip()
    assert line.endswith("\t13800135678\t审批通过：您的申请已获批准，请凭身份证领取。")


def test_no_sms_without_flag_or_phone(
    citizen, citizen2, sms_log, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        actions.notify(user=citizen, title="站内消息", body="只在站内")
        actions.notify(user=citizen2, title="无手机号", body="不会发短信", sms=True)
    assert callbacks == []
    assert not sms_log.exists()
    assert Message.objects.count() == 2


def test_long_sms_text_is_shortened():
    text = actions.sms_text("标题", "字" * 500)
    assert len(text) == actions.SMS_MAX_CHARS
    assert text.endswith("…")
    assert actions.sms_text("标题", "  ") == "标题"


def test_failing_gateway_does_not_break_the_action(
    citizen, settings, caplog, django_capture_on_commit_callbacks
):
    settings.YIWANG_SMS_GATEWAY = "yiwang.notify.tests.test_sms.FailingGateway"
    FailingGateway.calls.clear()
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        message = actions.notify(user=citizen, title="办结通知", body="已办结", sms=True)
    assert Message.objects.get() == message
    assert FailingGateway.calls == [("13800135678", "办结通知：已办结")]
    assert "SMS copy to user" in caplog.text
    assert "138****5678" in caplog.text and "13800135678" not in caplog.text


def test_failing_queue_does_not_break_the_action(
    citizen, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from yiwang.notify import tasks

    class BrokenQueue:
        @staticmethod
        def enqueue(*args, **kwargs):
            raise ConnectionError("queue unavailable")

    monkeypatch.setattr(tasks, "send_sms_copy", BrokenQueue)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        actions.notify(user=citizen, title="办结通知", body="已办结", sms=True)
    assert Message.objects.count() == 1
    assert "could not queue" in caplog.text


def test_sms_goes_to_the_phone_at_send_time(citizen, sms_log, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.notify(user=citizen, title="通知", body="内容", sms=True)
    citizen.phone = "13911112222"
    citizen.save()
    callbacks[0]()
    assert "\t13911112222\t" in sms_log.read_text(encoding="utf-8")


def test_mark_read_only_by_the_recipient(citizen, citizen2):
    message = actions.notify(user=citizen, title="通知", body="")
    with pytest.raises(PermissionDenied):
        actions.mark_read(actor=citizen2, message=message)
    message.refresh_from_db()
    assert message.read_at is None

    actions.mark_read(actor=citizen, message=message)
    first = Message.objects.get(pk=message.pk).read_at
    assert first is not None
    actions.mark_read(actor=citizen, message=Message.objects.get(pk=message.pk))
    assert Message.objects.get(pk=message.pk).read_at == first


def test_mark_read_refuses_anonymous(citizen):
    from django.contrib.auth.models import AnonymousUser

    message = actions.notify(user=citizen, title="通知", body="")
    with pytest.raises(PermissionDenied):
        actions.mark_read(actor=AnonymousUser(), message=message)
    with pytest.raises(PermissionDenied):
        actions.mark_all_read(actor=AnonymousUser())


def test_mark_all_read_touches_only_own_unread(citizen, citizen2):
    for i in range(3):
        actions.notify(user=citizen, title=f"通知{i}", body="")
    other = actions.notify(user=citizen2, title="别人的", body="")
    actions.mark_read(actor=citizen, message=Message.objects.filter(recipient=citizen).first())
    assert actions.mark_all_read(actor=citizen) == 2
    assert not Message.objects.filter(recipient=citizen, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None
    assert actions.mark_all_read(actor=citizen) == 0
