"""The admin goes through the actions; committed changes reach the shared cache."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from yiwang.audit.actors import SYSTEM
from yiwang.audit.models import AuditEntry
from yiwang.workdays import actions, calendar
from yiwang.workdays.admin import HolidayOverrideAdminForm
from yiwang.workdays.models import HolidayOverride
from yiwang.workdays.signals import calendar_changed

D = dt.date
NOTICE = "国务院办公厅关于2027年部分节假日安排的通知"


def admin_request(user):
    request = RequestFactory().post("/admin/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@pytest.fixture
def model_admin():
    return admin.site._registry[HolidayOverride]


@pytest.mark.django_db
def test_admin_is_registered_with_list_search_and_date_hierarchy(model_admin):
    assert "date" in model_admin.list_display
    assert model_admin.search_fields
    assert model_admin.date_hierarchy == "date"


@pytest.mark.django_db
def test_admin_permissions_follow_the_calendar_rule(model_admin, authority, window_staff):
    assert model_admin.has_add_permission(admin_request(authority))
    assert model_admin.has_module_permission(admin_request(authority))
    assert not model_admin.has_add_permission(admin_request(window_staff))
    assert not model_admin.has_view_permission(admin_request(window_staff))
    assert "delete_selected" not in model_admin.get_actions(admin_request(authority))


@pytest.mark.django_db
def test_admin_form_reports_action_errors(authority, frozen_today):
    actions.set_override(
        actor=authority,
        date=D(2027, 2, 8),
        is_workday=False,
        name="2027年春节",
        source_notice=NOTICE,
    )
    form = HolidayOverrideAdminForm(
        data={"date": "2027-02-08", "is_workday": "", "name": "重复", "source_notice": NOTICE}
    )
    assert not form.is_valid()
    assert "2027年春节" in form.errors["date"][0]
    form = HolidayOverrideAdminForm(
        data={"date": "2024-01-01", "name": "旧", "source_notice": NOTICE}
    )
    assert not form.is_valid()
    assert "2024-01-01" in form.errors["date"][0]


@pytest.mark.django_db
def test_admin_saves_and_deletes_through_the_actions(model_admin, authority, frozen_today):
    request = admin_request(authority)
    form = HolidayOverrideAdminForm(
        data={"date": "2027-02-08", "is_workday": "", "name": "2027年春节", "source_notice": NOTICE}
    )
    assert form.is_valid(), form.errors
    obj = form.save(commit=False)
    model_admin.save_model(request, obj, form, change=False)
    assert obj.pk is not None
    assert HolidayOverride.objects.get().created_by == authority
    obj.is_workday = True
    model_admin.save_model(request, obj, form, change=True)
    assert HolidayOverride.objects.get().is_workday is True
    model_admin.delete_queryset(request, HolidayOverride.objects.all())
    assert not HolidayOverride.objects.exists()
    assert list(
        AuditEntry.objects.filter(action__startswith="workdays.").values_list("action", flat=True)
    ) == ["workdays.override.create", "workdays.override.update", "workdays.override.delete"]


@pytest.mark.django_db(transaction=True)
def test_committed_change_refreshes_the_warm_cache_and_fires_the_signal(
    frozen_today, django_assert_num_queries
):
    day = D(2027, 2, 8)
    seen = []

    def receiver(sender, dates, **kwargs):
        seen.append(dates)
        # Receivers already see the new calendar.
        seen.append(calendar.is_workday(day))

    calendar_changed.connect(receiver, weak=False, dispatch_uid="cache-test")
    try:
        assert calendar.is_workday(day)  # warm: Monday, assumed working day
        with django_assert_num_queries(0):
            assert calendar.is_workday(day)
        override = actions.set_override(
            actor=SYSTEM, date=day, is_workday=False, name="2027年春节", source_notice=NOTICE
        )
        assert seen == [[day], False]
        assert not calendar.is_workday(day)
        with django_assert_num_queries(0):
            assert calendar.add_working_days(D(2027, 2, 5), 1) == calendar.DueDate(
                D(2027, 2, 9), False
            )
        actions.delete_override(actor=SYSTEM, override=override)
        assert calendar.is_workday(day)
        assert calendar.add_working_days(D(2027, 2, 5), 1).provisional is True
    finally:
        calendar_changed.disconnect(dispatch_uid="cache-test")


@pytest.mark.django_db(transaction=True)
def test_writes_that_bypass_the_actions_still_invalidate(frozen_today):
    day = D(2027, 2, 8)
    assert calendar.is_workday(day)
    HolidayOverride.objects.create(date=day, is_workday=False, name="fixture", source_notice=NOTICE)
    assert not calendar.is_workday(day)
    HolidayOverride.objects.all().delete()
    assert calendar.is_workday(day)
