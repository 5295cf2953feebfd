"""The GB/T 30428 flow: each action's success, denial and bad input."""

from datetime import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yiwang.audit.actors import SystemActor
from yiwang.audit.models import AuditEntry
from yiwang.grid import actions, rules
from yiwang.grid.models import CityEvent, EventLog, EventPhoto, EventStatus, PhotoPhase
from yiwang.workdays.calendar import CHINA_TZ

from .conftest import jpeg_file, pdf_file, png_file


def _to_handled(world, report, **kw):
    event = report(**kw)
    actions.file_event(actor=world.dispatcher, event=event)
    actions.dispatch_event(actor=world.dispatcher, event=event, department=world.zjj)
    return actions.handle_event(
        actor=world.handler_zjj, event=event, reply="已清理", after_photos=[png_file()]
    )


# --- report ---------------------------------------------------------------------------


def test_report_locates_grid_stores_photo_and_audits(world, report):
    event = report(grid=None)
    assert event.status == EventStatus.COLLECTED
    assert event.grid == world.grid_a and event.region == world.chengdong
    assert event.number.startswith("CG") and len(event.number) == 16
    photo = event.photos.get()
    assert photo.phase == PhotoPhase.BEFORE and len(photo.sha256) == 64
    assert photo.content_type == "image/png"
    assert EventLog.objects.filter(event=event, action="report").exists()
    assert AuditEntry.objects.filter(action="grid.event_reported", object_id=str(event.pk)).exists()


def test_report_outside_own_area_denied(world, report):
    with pytest.raises(PermissionDenied, match="高陂"):
        report(actor=world.worker, lat=24.16, lng=116.73)
    assert not CityEvent.objects.exists()


def test_report_bad_input(world, report):
    with pytest.raises(ValidationError) as exc:
        report(lat=23.1, lng=113.3)  # Guangzhou
    assert "outside Dabu County" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        report(description="  ")
    assert "description" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        report(description="x" * 2001)
    assert "too long" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        report(category="advertising", kind="component")
    assert "category" in exc.value.message_dict
    with pytest.raises(ValidationError, match=r"not a (usable )?photo"):
        report(photos=[pdf_file()])
    assert not CityEvent.objects.exists()
    assert not EventPhoto.objects.exists()


def test_system_reports_anywhere(world, report):
    event = report(
        actor=SystemActor("video"), source="video", lat=24.16, lng=116.73, photos=[jpeg_file()]
    )
    assert event.grid == world.grid_g and event.reporter is None


# --- file / cancel ------------------------------------------------------------------------


def test_file_reclassifies(world, report):
    event = report()
    event = actions.file_event(
        actor=world.dispatcher,
        event=event,
        kind="component",
        category="public_facility",
        subclass="component:0102",
    )
    assert (event.status, event.kind, event.category, event.subclass.name) == (
        "filed",
        "component",
        "public_facility",
        "污水井盖",
    )


def test_file_denied_for_worker_and_other_area(world, report):
    event = report()
    with pytest.raises(PermissionDenied):
        actions.file_event(actor=world.worker, event=event)
    with pytest.raises(PermissionDenied, match="dispatcher"):
        actions.file_event(actor=world.dispatcher_gaobei, event=event)
    with pytest.raises(ValidationError):
        actions.file_event(actor=world.dispatcher, event=event, kind="event", category="greening")
    event.refresh_from_db()
    assert event.status == "collected"


def test_cancel_needs_reason_and_is_final(world, report):
    event = report()
    with pytest.raises(ValidationError, match="reason"):
        actions.cancel_event(actor=world.dispatcher, event=event, reason="")
    event = actions.cancel_event(actor=world.dispatcher, event=event, reason="重复上报")
    assert event.status == "cancelled" and event.cancel_reason == "重复上报"
    with pytest.raises(ValidationError, match="Cancelled"):
        actions.file_event(actor=world.dispatcher, event=event)


# --- dispatch / deadline --------------------------------------------------------------------


def test_dispatch_starts_timer(world, report):
    event = report()
    with pytest.raises(ValidationError, match="File the case first"):
        actions.dispatch_event(actor=world.dispatcher, event=event, department=world.zjj)
    actions.file_event(actor=world.dispatcher, event=event)
    with pytest.raises(ValidationError):
        actions.dispatch_event(actor=world.dispatcher, event=event, department=None)
    with pytest.raises(ValidationError, match="1 to 60"):
        actions.dispatch_event(
            actor=world.dispatcher, event=event, department=world.zjj, limit_days=0
        )
    with pytest.raises(PermissionDenied):
        actions.dispatch_event(actor=world.handler_zjj, event=event, department=world.zjj)
    event = actions.dispatch_event(actor=world.dispatcher, event=event, department=world.zjj)
    assert event.status == "dispatched" and event.department == world.zjj
    assert event.limit_days == rules.limit_days("event", "street_order") == 1
    assert event.due_at > event.dispatched_at
    assert event.deadline_status in ("normal", "warning")
    # handlers of the department were told, the town's handlers not
    from yiwang.notify.models import Message

    assert Message.objects.filter(
        recipient=world.handler_zjj, title__contains=event.number
    ).exists()
    assert not Message.objects.filter(recipient=world.handler_town).exists()


def test_deadline_across_national_day_holiday(world, report, monkeypatch):
    """Dispatched on 30 Sep 2025 with 3 working days: 1–8 Oct is the holiday; 11 Oct (Sat) is
    a make-up working day, so the case is due on 11 Oct, not 3 Oct."""
    event = report()
    actions.file_event(actor=world.dispatcher, event=event)
    monkeypatch.setattr(
        "django.utils.timezone.now", lambda: datetime(2025, 9, 30, 10, 0, tzinfo=CHINA_TZ)
    )
    event = actions.dispatch_event(
        actor=world.dispatcher, event=event, department=world.zjj, limit_days=3
    )
    assert event.due_at.astimezone(CHINA_TZ).date().isoformat() == "2025-10-11"
    # 9 Oct: one working day left besides today → warning; 13 Oct: overdue
    assert actions.sweep_deadlines(datetime(2025, 10, 2, 9, tzinfo=CHINA_TZ)) in (0, 1)
    event.refresh_from_db()
    assert event.deadline_status == "normal"
    actions.sweep_deadlines(datetime(2025, 10, 10, 9, tzinfo=CHINA_TZ))
    event.refresh_from_db()
    assert event.deadline_status == "warning"
    actions.sweep_deadlines(datetime(2025, 10, 13, 9, tzinfo=CHINA_TZ))
    event.refresh_from_db()
    assert event.deadline_status == "overdue"


def test_limits_are_configurable(world, settings):
    settings.YIWANG_GRID_LIMITS = {"event:street_order": 4}
    assert rules.limit_days("event", "street_order") == 4
    assert rules.limit_days("event", "construction") == 3


# --- handle ---------------------------------------------------------------------------------


def test_handle_requires_after_photos_and_own_department(world, report):
    event = report()
    actions.file_event(actor=world.dispatcher, event=event)
    actions.dispatch_event(actor=world.dispatcher, event=event, department=world.zjj)
    with pytest.raises(ValidationError, match="at least one photo"):
        actions.handle_event(actor=world.handler_zjj, event=event, reply="已处理", after_photos=[])
    with pytest.raises(ValidationError, match="reply"):
        actions.handle_event(
            actor=world.handler_zjj, event=event, reply="", after_photos=[png_file()]
        )
    with pytest.raises(PermissionDenied, match="住房和城乡建设局"):
        actions.handle_event(
            actor=world.handler_town, event=event, reply="已处理", after_photos=[png_file()]
        )
    event = actions.handle_event(
        actor=world.handler_zjj, event=event, reply="已清理", after_photos=[png_file(), jpeg_file()]
    )
    assert event.status == "handled" and event.reply == "已清理"
    assert event.photos.filter(phase="after").count() == 2
    # the grid worker is told to verify
    from yiwang.notify.models import Message

    assert Message.objects.filter(recipient=world.worker, link__contains="/verify/").exists()


# --- verify, close, evaluate: the whole loop -----------------------------------------------


def test_full_flow_with_failed_verification(world, report):
    event = _to_handled(world, report)
    # only the grid's own worker verifies
    with pytest.raises(PermissionDenied, match="城东第一网格"):
        actions.verify_event(actor=world.worker_b, event=event, passed=True)
    with pytest.raises(PermissionDenied):
        actions.verify_event(actor=world.dispatcher, event=event, passed=True)
    with pytest.raises(ValidationError, match="verification note"):
        actions.verify_event(actor=world.worker, event=event, passed=False, note="")
    event = actions.verify_event(
        actor=world.worker, event=event, passed=False, note="仍有摊位", photos=[png_file()]
    )
    assert event.status == "dispatched" and event.rework_count == 1 and event.handled_at is None
    assert event.photos.filter(phase="verify").count() == 1
    with pytest.raises(ValidationError, match="verified on site"):
        actions.close_event(actor=world.dispatcher, event=event)
    event = actions.handle_event(
        actor=world.handler_zjj, event=event, reply="已全部清理", after_photos=[png_file()]
    )
    event = actions.verify_event(actor=world.worker, event=event, passed=True, note="已整改")
    assert event.status == "verified"
    with pytest.raises(PermissionDenied):
        actions.close_event(actor=world.worker, event=event)
    event = actions.close_event(actor=world.dispatcher, event=event)
    assert event.status == "closed" and event.closed_at
    with pytest.raises(ValidationError, match="score"):
        actions.evaluate_event(actor=world.leader, event=event, score=6)
    with pytest.raises(PermissionDenied):
        actions.evaluate_event(actor=world.handler_zjj, event=event, score=5)
    event = actions.evaluate_event(actor=world.leader, event=event, score=4, note="较及时")
    assert event.status == "evaluated" and event.score == 4
    steps = list(event.logs.values_list("action", flat=True))
    assert steps == [
        "report",
        "file",
        "dispatch",
        "handle",
        "verify_failed",
        "handle",
        "verify",
        "close",
        "evaluate",
    ]
    assert (
        AuditEntry.objects.filter(object_id=str(event.pk), action__startswith="grid.event_").count()
        == 9
    )
    with pytest.raises(ValidationError, match="Only a closed case"):
        actions.evaluate_event(actor=world.leader, event=event, score=4)


def test_state_table_refuses_illegal_transitions(world, report):
    event = report()
    for func, kwargs in (
        (
            actions.handle_event,
            {"actor": world.handler_zjj, "reply": "x", "after_photos": [png_file()]},
        ),
        (actions.verify_event, {"actor": world.worker, "passed": True}),
        (actions.close_event, {"actor": world.dispatcher}),
        (actions.evaluate_event, {"actor": world.dispatcher, "score": 5}),
    ):
        with pytest.raises(ValidationError) as exc:
            func(event=event, **kwargs)
        assert exc.value.code == "transition_not_allowed"
        assert "Collected" in str(exc.value) or "已采集" in str(exc.value)


def test_each_fixed_step_names_its_target_and_verification_decides_its_own():
    assert [rules.target(a) for a in ("file", "cancel", "dispatch", "handle", "close")] == [
        "filed",
        "cancelled",
        "dispatched",
        "handled",
        "closed",
    ]
    with pytest.raises(ValueError, match="verify"):
        rules.target("verify")  # passed → verified, failed → dispatched: verify_event decides
