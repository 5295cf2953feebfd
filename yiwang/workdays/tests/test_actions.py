"""set_override / delete_override: permissions, bad input, audit and the change signal."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yiwang.audit.actors import SYSTEM, SystemActor
from yiwang.audit.models import AuditEntry
from yiwang.orgs.models import Post, Role
from yiwang.workdays import actions, calendar
from yiwang.workdays.models import HolidayOverride
from yiwang.workdays.signals import calendar_changed

from .conftest import make_staff

D = dt.date
NOTICE = "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）"
pytestmark = pytest.mark.django_db


SPRING = D(2027, 2, 8)


def add(actor, day=SPRING, is_workday=False, name="2027年春节", notice=NOTICE, **kw):
    return actions.set_override(
        actor=actor, date=day, is_workday=is_workday, name=name, source_notice=notice, **kw
    )


@pytest.fixture
def received():
    seen = []

    def receiver(sender, dates, **kwargs):
        seen.append(dates)

    calendar_changed.connect(receiver, weak=False, dispatch_uid="test-receiver")
    yield seen
    calendar_changed.disconnect(dispatch_uid="test-receiver")


def test_authority_adds_an_override_audited_and_signalled(
    authority, frozen_today, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        override = add(authority)
    assert override.created_by == authority
    assert HolidayOverride.objects.get(date=D(2027, 2, 8)).name == "2027年春节"
    entry = AuditEntry.objects.get(action="workdays.override.create")
    assert entry.actor_id == authority.pk
    assert entry.object_id == str(override.pk)
    assert entry.summary["after"]["source_notice"] == NOTICE
    assert received == [[D(2027, 2, 8)]]
    assert not calendar.is_workday(D(2027, 2, 8))


def test_signal_waits_for_the_commit(
    authority, frozen_today, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        add(authority)
    assert received == []
    assert len(callbacks) == 1


def test_superuser_and_the_platform_may_edit(superuser, frozen_today):
    add(superuser, day=D(2027, 2, 9))
    add(SYSTEM, day=D(2027, 2, 10))
    add(SystemActor("demo"), day=D(2027, 2, 11))
    assert HolidayOverride.objects.count() == 3
    assert HolidayOverride.objects.get(date=D(2027, 2, 10)).created_by is None
    labels = AuditEntry.objects.filter(action="workdays.override.create").values_list(
        "actor_label", flat=True
    )
    assert {"system", "demo"} <= set(labels)


@pytest.mark.parametrize("nobody", [None, "demo"])
def test_no_actor_or_a_bare_label_is_not_the_platform(nobody, frozen_today):
    # Regression: None (and any string) used to count as the platform and pass every check.
    with pytest.raises(PermissionDenied):
        add(nobody, day=D(2027, 2, 12))
    assert not HolidayOverride.objects.exists()


@pytest.mark.parametrize("who", ["window_staff", "citizen"])
def test_others_are_refused_and_nothing_is_written(
    request, who, frozen_today, received, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(who)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(PermissionDenied),
    ):
        add(user)
    assert not HolidayOverride.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="workdays.").exists()
    assert received == []
    assert calendar.is_workday(D(2027, 2, 8))


def test_inactive_authority_post_does_not_count(county, frozen_today):
    user = make_staff("former_authority", None, county)
    Post.objects.create(user=user, role=Role.AUTHORITY, region=county, active=False)
    with pytest.raises(PermissionDenied):
        add(user)


def test_anonymous_user_is_refused(frozen_today):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        add(AnonymousUser())


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


def codes_of(exc_info) -> dict:
    return {f: [e.code for e in errs] for f, errs in exc_info.value.error_dict.items()}


@pytest.mark.parametrize("notice", ["", "   ", None])
def test_missing_notice_is_refused(authority, frozen_today, notice):
    with pytest.raises(ValidationError) as exc:
        add(authority, notice=notice)
    assert codes_of(exc) == {"source_notice": ["required"]}
    assert errors_of(exc)["source_notice"][0]
    assert not HolidayOverride.objects.exists()


def test_missing_name_is_refused(authority, frozen_today):
    with pytest.raises(ValidationError) as exc:
        add(authority, name=" ")
    assert codes_of(exc) == {"name": ["required"]}
    assert "2027年春节" in errors_of(exc)["name"][0]


def test_overlong_name_is_refused(authority, frozen_today):
    with pytest.raises(ValidationError) as exc:
        add(authority, name="节" * 51)
    assert codes_of(exc) == {"name": ["max_length"]}
    assert "50" in errors_of(exc)["name"][0]


def test_bad_types_are_refused(authority, frozen_today):
    with pytest.raises(ValidationError) as exc:
        actions.set_override(
            actor=authority,
            date="2027-02-08",
            is_workday="yes",
            name="2027年春节",
            source_notice=NOTICE,
        )
    assert set(errors_of(exc)) == {"date", "is_workday"}


def test_dates_more_than_a_year_old_are_final(authority, frozen_today):
    with pytest.raises(ValidationError) as exc:
        add(authority, day=D(2025, 10, 1))
    assert codes_of(exc) == {"date": ["too_old"]}
    message = errors_of(exc)["date"][0]
    assert "2025-10-01" in message
    assert "2025-11-21" in message  # says from when on dates can still change
    add(authority, day=D(2025, 11, 21), is_workday=True, name="补班", notice="测试通知")


def test_dates_too_far_ahead_are_refused(authority, frozen_today):
    with pytest.raises(ValidationError) as exc:
        add(authority, day=D(2029, 1, 1))
    assert codes_of(exc) == {"date": ["too_far_ahead"]}
    assert "2028-12-31" in errors_of(exc)["date"][0]


def test_duplicate_date_is_refused_with_the_existing_name(authority, frozen_today):
    add(authority)
    with pytest.raises(ValidationError) as exc:
        add(authority, name="另一个名字")
    assert codes_of(exc) == {"date": ["duplicate"]}
    message = errors_of(exc)["date"][0]
    assert "2027-02-08" in message
    assert "2027年春节" in message
    assert HolidayOverride.objects.count() == 1


def test_replace_updates_and_audits_the_change(
    authority, frozen_today, received, django_capture_on_commit_callbacks
):
    add(authority)
    with django_capture_on_commit_callbacks(execute=True):
        updated = add(authority, is_workday=True, name="2027年春节调休", replace=True)
    assert updated.is_workday is True
    assert HolidayOverride.objects.get().name == "2027年春节调休"
    entry = AuditEntry.objects.get(action="workdays.override.update")
    assert entry.summary["before"]["is_workday"] is False
    assert entry.summary["after"]["is_workday"] is True
    assert received == [[D(2027, 2, 8)]]
    assert calendar.is_workday(D(2027, 2, 8))


def test_delete_by_authority(authority, frozen_today, received, django_capture_on_commit_callbacks):
    override = add(authority)
    assert not calendar.is_workday(D(2027, 2, 8))
    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_override(actor=authority, override=override)
    assert not HolidayOverride.objects.exists()
    entry = AuditEntry.objects.get(action="workdays.override.delete")
    assert entry.summary["before"]["name"] == "2027年春节"
    assert received == [[D(2027, 2, 8)]]
    assert calendar.is_workday(D(2027, 2, 8))  # a Monday again
    assert not calendar.is_known(D(2027, 2, 8))


def test_delete_is_refused_for_other_staff(authority, window_staff, frozen_today):
    override = add(authority)
    with pytest.raises(PermissionDenied):
        actions.delete_override(actor=window_staff, override=override)
    assert HolidayOverride.objects.filter(pk=override.pk).exists()
    assert not AuditEntry.objects.filter(action="workdays.override.delete").exists()


def test_delete_twice_says_it_is_gone(authority, frozen_today):
    override = add(authority)
    actions.delete_override(actor=authority, override=override)
    with pytest.raises(ValidationError) as exc:
        actions.delete_override(actor=authority, override=override)
    assert exc.value.code == "gone"


def test_old_override_cannot_be_deleted(authority, monkeypatch):
    monkeypatch.setattr(calendar, "today", lambda: D(2026, 11, 21))
    override = add(authority, day=D(2026, 1, 1), is_workday=False, name="元旦", notice="测试")
    monkeypatch.setattr(calendar, "today", lambda: D(2027, 3, 1))
    with pytest.raises(ValidationError) as exc:
        actions.delete_override(actor=authority, override=override)
    assert codes_of(exc) == {"date": ["too_old"]}
    assert HolidayOverride.objects.filter(pk=override.pk).exists()
    assert not actions.is_editable_date(D(2026, 1, 1))


def test_calculator_permission():
    from django.contrib.auth.models import AnonymousUser

    assert not actions.can_use_calculator(AnonymousUser())


def test_calculator_permission_for_users(window_staff, citizen, superuser):
    assert actions.can_use_calculator(window_staff)
    assert actions.can_use_calculator(superuser)
    assert not actions.can_use_calculator(citizen)
