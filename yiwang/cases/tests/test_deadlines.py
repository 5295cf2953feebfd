"""Deadlines of cases follow the working-day calendar and pauses; the sweep flags and escalates."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from yiwang.cases import actions
from yiwang.cases.models import Case, DeadlineStatus
from yiwang.notify.models import Message
from yiwang.workdays.calendar import add_working_days

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_deadline_counts_working_days_across_national_day(world, submit):
    case = actions.accept(actor=world.reviewer, case=submit())
    accepted = datetime.datetime(2025, 9, 30, 10, 0, tzinfo=TZ)
    Case.objects.filter(pk=case.pk).update(accepted_at=accepted)
    case.refresh_from_db()
    actions.refresh_deadlines(case, now=accepted)
    # 5 working days after 2025-09-30: the 国庆/中秋 holiday runs 10-01..10-08, 10-11 is a 调休 workday
    assert case.due_at == add_working_days(datetime.date(2025, 9, 30), 5).date
    assert case.due_at == datetime.date(2025, 10, 14)


def test_correction_pause_extends_the_deadline(world, submit):
    case = actions.accept(actor=world.reviewer, case=submit())
    due_before = case.due_at
    case = actions.request_correction(actor=world.reviewer, case=case, missing="补充材料")
    start = case.pauses.get().started_at
    later = start + datetime.timedelta(days=7)
    actions.refresh_deadlines(case, now=later)
    assert case.due_at > due_before


def test_sweep_flags_overdue_and_escalates_once(world, submit):
    case = actions.accept(actor=world.reviewer, case=submit())
    far_future = datetime.datetime.now(TZ) + datetime.timedelta(days=60)
    counts = actions.sweep_deadlines(now=far_future)
    case.refresh_from_db()
    assert case.deadline_status == DeadlineStatus.OVERDUE and case.escalated_at is not None
    assert counts["escalated"] == 1
    assert Message.objects.filter(recipient=world.approver).count() == 1
    again = actions.sweep_deadlines(now=far_future)
    assert again["escalated"] == 0
    assert Message.objects.filter(recipient=world.approver).count() == 1


def test_sweep_warns_before_the_deadline(world, submit):
    case = actions.accept(actor=world.reviewer, case=submit())
    day_before = datetime.datetime.combine(case.due_at, datetime.time(9), tzinfo=TZ)
    actions.sweep_deadlines(now=day_before)
    case.refresh_from_db()
    assert case.deadline_status == DeadlineStatus.WARNING


def test_sweep_task_runs_through_the_tasks_framework(world, submit):
    from yiwang.cases.tasks import sweep_deadlines

    submit()
    result = sweep_deadlines.enqueue()
    assert result.return_value["checked"] == 1


def test_provisional_deadline_is_recomputed_when_the_calendar_arrives(
    world, submit, django_capture_on_commit_callbacks
):
    """A deadline in a year the calendar package does not cover yet is provisional until the
    administrator enters the official schedule; then it is recomputed."""
    from yiwang.workdays import actions as workdays_actions

    case = actions.accept(actor=world.reviewer, case=submit())
    accepted = datetime.datetime(2027, 9, 28, 10, 0, tzinfo=TZ)
    Case.objects.filter(pk=case.pk).update(accepted_at=accepted, step_started_at=accepted)
    case.refresh_from_db()
    actions.refresh_deadlines(case, now=accepted)
    case.save()
    assert case.due_provisional
    with django_capture_on_commit_callbacks(execute=True):
        workdays_actions.set_override(
            actor=world.admin,
            date=datetime.date(2027, 10, 1),
            is_workday=False,
            name="2027年国庆节",
            source_notice="国务院办公厅关于2027年部分节假日安排的通知",
        )
    case.refresh_from_db()
    assert not case.due_provisional
