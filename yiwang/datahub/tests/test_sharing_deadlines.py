# ruff: noqa: F811  (fixtures imported from sharing_fixtures are used as arguments)
"""Deadlines of sharing steps in working days (across the 2025 National Day holiday), the
sweep's reminders and overdue marks (once per step), and the expiry of grants."""

from __future__ import annotations

import datetime

import pytest

from yiwang.audit.models import AuditEntry
from yiwang.datahub.actions import sharing
from yiwang.datahub.sharing import rules
from yiwang.datahub.sharing.models import GrantStatus
from yiwang.notify.models import Message
from yiwang.workdays import actions as workdays_actions
from yiwang.workdays.calendar import add_working_days

from .sharing_fixtures import (  # noqa: F401  (fixtures)
    BEFORE_HOLIDAY,
    TZ,
    ask,
    at_provider,
    granted,
    refused_by_provider,
    shared,
)

pytestmark = pytest.mark.django_db


def local(dt: datetime.datetime) -> datetime.date:
    return dt.astimezone(TZ).date()


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


def test_review_deadline_skips_the_national_day_holiday(ask):
    request = ask()
    # 2 working days after 09-30: 10-01..10-08 are holidays, 10-09 and 10-10 count.
    assert local(request.due_at) == datetime.date(2025, 10, 10)
    assert local(request.due_at) == add_working_days(datetime.date(2025, 9, 30), 2).date
    assert request.due_provisional is False


def test_provider_deadline_counts_the_make_up_saturday(at_provider):
    # 5 working days after 09-30: 10-09, 10-10, 10-11 (调休 Saturday), 10-13, 10-14.
    assert local(at_provider.due_at) == datetime.date(2025, 10, 14)


def test_limits_come_from_the_settings_and_are_copied_onto_the_row(ask, settings):
    settings.YIWANG_SHARING_REVIEW_DAYS = 3
    request = ask()
    assert request.limit_days == 3
    assert local(request.due_at) == datetime.date(2025, 10, 11)
    settings.YIWANG_SHARING_REVIEW_DAYS = 1
    request.refresh_from_db()
    assert request.limit_days == 3  # a running step keeps its limit


def test_an_unknown_year_is_provisional_until_its_holidays_are_entered(ask, authority):
    now = datetime.datetime(2027, 9, 30, 10, tzinfo=TZ)  # Thursday; 2027 is not in the package
    period = {"period_start": datetime.date(2027, 10, 1), "period_end": datetime.date(2028, 9, 30)}
    first = ask(now=now, **period)
    assert local(first.due_at) == datetime.date(2027, 10, 4)  # Friday, Monday (assumed)
    assert first.due_provisional is True
    workdays_actions.set_override(
        actor=authority,
        date=datetime.date(2027, 10, 1),
        is_workday=False,
        name="2027年国庆节",
        source_notice="国务院办公厅通知",
    )
    sharing.withdraw_request(actor=first.submitted_by, request=first)
    second = ask(now=now, **period)
    assert local(second.due_at) == datetime.date(2027, 10, 5)
    assert second.due_provisional is False


def test_reminder_once_then_overdue_once(ask, authority):
    request = ask()
    due = local(request.due_at)  # 10-10
    assert rules.deadline_status(request.due_at, datetime.date(2025, 10, 8)) == "normal"
    assert rules.deadline_status(request.due_at, datetime.date(2025, 10, 9)) == "warning"
    base = Message.objects.filter(recipient=authority).count()  # the "to review" notice

    counts = sharing.sweep_sharing(now=at(datetime.date(2025, 10, 8)))
    assert counts["reminded"] == 0
    counts = sharing.sweep_sharing(now=at(datetime.date(2025, 10, 9)))
    assert counts == {"checked": 1, "reminded": 1, "overdue": 0, "expired": 0}
    assert sharing.sweep_sharing(now=at(datetime.date(2025, 10, 9), 15))["reminded"] == 0
    assert Message.objects.filter(recipient=authority).count() == base + 1

    after_due = at(due + datetime.timedelta(days=1))
    assert sharing.sweep_sharing(now=after_due)["overdue"] == 1
    assert sharing.sweep_sharing(now=after_due + datetime.timedelta(days=3))["overdue"] == 0
    request.refresh_from_db()
    assert request.overdue_at is not None
    assert Message.objects.filter(recipient=authority).count() == base + 2
    assert AuditEntry.objects.filter(action="datahub.request_remind").count() == 1
    assert AuditEntry.objects.filter(action="datahub.request_overdue").count() == 1
    assert list(request.events.values_list("verb", flat=True)) == ["submit", "overdue"]


def test_the_next_step_gets_its_own_reminder(ask, authority, admin_scj):
    request = ask(["legal_rep_id"])
    sharing.sweep_sharing(now=at(datetime.date(2025, 10, 20)))
    request.refresh_from_db()
    assert request.overdue_at is not None
    sharing.review_request(
        actor=authority, request=request, approve=True, now=at(datetime.date(2025, 10, 20))
    )
    request.refresh_from_db()
    assert request.overdue_at is None and request.reminded_at is None
    base = Message.objects.filter(recipient=admin_scj).count()
    # provider step: 5 working days after 10-20 → 10-27; warning on 10-24 (Friday).
    assert local(request.due_at) == datetime.date(2025, 10, 27)
    assert sharing.sweep_sharing(now=at(datetime.date(2025, 10, 24)))["reminded"] == 1
    assert Message.objects.filter(recipient=admin_scj).count() == base + 1


def test_sweep_expires_grants_once(granted):
    before_end = datetime.datetime(2026, 9, 30, 12, tzinfo=TZ)
    assert sharing.sweep_sharing(now=before_end)["expired"] == 0
    after_end = datetime.datetime(2026, 10, 1, 0, 5, tzinfo=TZ)
    assert sharing.sweep_sharing(now=after_end)["expired"] == 1
    granted.refresh_from_db()
    assert granted.status == GrantStatus.EXPIRED and granted.expired_at == after_end
    assert sharing.sweep_sharing(now=after_end)["expired"] == 0
    assert AuditEntry.objects.filter(action="datahub.grant_expire").count() == 1


def test_sweep_task_runs_through_the_tasks_framework(ask, settings):
    from yiwang.datahub.sharing_tasks import sweep_sharing

    ask()
    assert "yiwang.datahub.sharing_tasks.sweep_sharing" in settings.YIWANG_PERIODIC_TASKS
    assert "yiwang.datahub.sharing_tasks.sweep_sharing" in settings.YIWANG_IDEMPOTENT_TASKS
    result = sweep_sharing.enqueue()
    assert result.return_value["checked"] == 1


def test_lists_show_warning_and_overdue_marks(ask):
    from yiwang.datahub.sharing import queries

    request = ask()
    (row,) = queries.rows([request], today=datetime.date(2025, 10, 9))
    assert row.deadline == "warning"
    (row,) = queries.rows([request], today=datetime.date(2025, 10, 13))
    assert row.deadline == "overdue"
    assert row.field_names == ["许可证编号", "经营者名称"]
