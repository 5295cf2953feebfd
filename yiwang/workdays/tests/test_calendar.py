"""Known facts of the official schedule and the deadline arithmetic built on them."""

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.db import transaction

from yiwang.audit.actors import SYSTEM
from yiwang.workdays import actions, calendar
from yiwang.workdays.calendar import DueDate

D = dt.date
CST = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(y, m, d, hour=10, minute=0):
    return dt.datetime(y, m, d, hour, minute, tzinfo=CST)


# --- the official schedule ------------------------------------------------------


def test_installed_package_is_the_one_these_facts_were_checked_against():
    assert chinese_calendar.__version__ == "1.11.0"
    assert calendar.PACKAGE_YEARS == (2004, 2026)


@pytest.mark.parametrize("day", [D(2025, 10, d) for d in range(1, 9)])
def test_national_day_2025_is_eight_days_off(day):
    assert not calendar.is_workday(day)


@pytest.mark.parametrize("day", [D(2025, 9, 28), D(2025, 10, 11)])
def test_national_day_2025_make_up_days_are_weekend_working_days(day):
    assert day.weekday() >= 5
    assert calendar.is_workday(day)


def test_spring_festival_2026_per_chinesecalendar_1_11():
    # 国办发明电〔2025〕7号: 2月15日至23日放假调休，共9天；2月14日（周六）、2月28日（周六）上班.
    for d in range(15, 24):
        assert not calendar.is_workday(D(2026, 2, d)), d
    assert calendar.is_workday(D(2026, 2, 14))
    assert calendar.is_workday(D(2026, 2, 28))
    assert calendar.is_workday(D(2026, 2, 13))
    assert calendar.is_workday(D(2026, 2, 24))


def test_other_2026_facts():
    assert not calendar.is_workday(D(2026, 1, 2))  # 元旦 Friday off
    assert calendar.is_workday(D(2026, 1, 4))  # Sunday make-up day
    assert calendar.is_workday(D(2026, 10, 10))  # Saturday make-up day after 国庆
    assert not calendar.is_workday(D(2026, 10, 7))


def test_ordinary_weekdays_and_weekends():
    assert calendar.is_workday(D(2025, 3, 12))  # Wednesday
    assert not calendar.is_workday(D(2025, 3, 15))  # Saturday


def test_agrees_with_chinesecalendar_on_every_covered_day():
    day, end = D(2004, 1, 1), D(2026, 12, 31)
    while day <= end:
        assert calendar.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_unknown_years_fall_back_to_monday_to_friday():
    assert calendar.is_workday(D(2027, 1, 1))  # a Friday; 元旦 not yet entered
    assert not calendar.is_workday(D(2027, 1, 2))
    assert calendar.is_workday(D(2003, 1, 1))
    assert not calendar.is_known(D(2027, 1, 1))
    assert not calendar.is_known(D(2003, 6, 1))
    assert calendar.is_known(D(2026, 12, 31))


def test_datetimes_are_read_as_beijing_dates():
    # 2025-09-30 17:00 UTC is 2025-10-01 01:00 in Beijing: a holiday.
    assert not calendar.is_workday(dt.datetime(2025, 9, 30, 17, 0, tzinfo=dt.UTC))
    assert calendar.is_workday(dt.datetime(2025, 9, 30, 15, 0, tzinfo=dt.UTC))


# --- add_working_days and working_days_between -----------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (D(2025, 9, 30), 0, D(2025, 9, 30)),
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        (D(2025, 9, 30), 3, D(2025, 10, 11)),  # Saturday make-up day counts
        (D(2025, 9, 30), 4, D(2025, 10, 13)),
        (D(2025, 9, 26), 1, D(2025, 9, 28)),  # Friday → Sunday make-up day
        (D(2025, 9, 26), 2, D(2025, 9, 29)),
        (D(2025, 10, 4), 1, D(2025, 10, 9)),  # start on a holiday
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        (D(2026, 2, 13), 6, D(2026, 2, 28)),
        (D(2026, 2, 13), 7, D(2026, 3, 2)),
        (D(2025, 12, 31), 2, D(2026, 1, 5)),  # 元旦 Jan 1-3 off; Sunday Jan 4 works
        (D(2025, 3, 3), 20, D(2025, 3, 31)),
    ],
)
def test_add_working_days(start, n, due):
    result = calendar.add_working_days(start, n)
    assert result == DueDate(due, False)


def test_new_year_2026_make_up_sunday_is_counted():
    assert calendar.add_working_days(D(2025, 12, 31), 1).date == D(2026, 1, 4)


@pytest.mark.parametrize(
    ("a", "b", "count"),
    [
        (D(2025, 9, 30), D(2025, 10, 12), 3),
        (D(2025, 9, 30), D(2025, 10, 8), 0),
        (D(2025, 9, 27), D(2025, 10, 1), 3),  # 9-28 Sun, 9-29, 9-30
        (D(2026, 2, 13), D(2026, 2, 28), 6),
        (D(2026, 2, 14), D(2026, 2, 14), 0),
        (D(2026, 2, 28), D(2026, 2, 14), 0),
        (D(2025, 12, 31), D(2026, 12, 31), 248),
        (D(2024, 12, 31), D(2025, 12, 31), 248),
    ],
)
def test_working_days_between(a, b, count):
    assert calendar.working_days_between(a, b) == count


def test_add_rejects_negative_and_non_integer_counts():
    with pytest.raises(ValueError):
        calendar.add_working_days(D(2025, 1, 2), -1)
    with pytest.raises(TypeError):
        calendar.add_working_days(D(2025, 1, 2), 1.5)
    with pytest.raises(TypeError):
        calendar.add_working_days(D(2025, 1, 2), True)


# --- provisional fallback and overrides ------------------------------------------------


def test_deadline_running_into_an_unpublished_year_is_provisional():
    # 2026-12-31 Thu, then 2027 assumed Mon–Fri: 1-1 Fri, 1-4 Mon, 1-5, 1-6.
    assert calendar.add_working_days(D(2026, 12, 30), 5) == DueDate(D(2027, 1, 6), True)
    assert calendar.add_working_days(D(2026, 12, 30), 1) == DueDate(D(2026, 12, 31), False)
    assert calendar.add_working_days(D(2026, 12, 31), 0) == DueDate(D(2026, 12, 31), False)
    assert calendar.add_working_days(D(2027, 3, 1), 0) == DueDate(D(2027, 3, 1), False)


def test_override_makes_the_year_known_and_the_deadline_official(frozen_today):
    actions.set_override(
        actor=SYSTEM,
        date=D(2027, 1, 1),
        is_workday=False,
        name="2027年元旦",
        source_notice="国务院办公厅关于2027年部分节假日安排的通知",
    )
    assert not calendar.is_workday(D(2027, 1, 1))
    assert calendar.is_known(D(2027, 5, 6))
    assert calendar.add_working_days(D(2026, 12, 30), 5) == DueDate(D(2027, 1, 7), False)
    assert calendar.working_days_between(D(2026, 12, 30), D(2027, 1, 7)) == 5


def test_override_beats_the_package(frozen_today):
    day = D(2026, 12, 28)  # an ordinary Monday in the package
    assert calendar.is_workday(day)
    actions.set_override(
        actor=SYSTEM, date=day, is_workday=False, name="临时休息日", source_notice="测试通知"
    )
    assert not calendar.is_workday(day)
    actions.set_override(
        actor=SYSTEM,
        date=D(2026, 12, 27),
        is_workday=True,
        name="调休上班",
        source_notice="测试通知",
    )
    assert calendar.is_workday(D(2026, 12, 27))  # a Sunday


def test_rolled_back_override_does_not_linger_in_the_cache(frozen_today):
    day = D(2026, 12, 28)
    calendar.add_working_days(day, 1)  # warm the cache
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.set_override(
            actor=SYSTEM, date=day, is_workday=False, name="临时", source_notice="测试通知"
        )
        assert not calendar.is_workday(day)
        raise RuntimeError("abort")
    assert calendar.is_workday(day)


# --- due_date with pauses ----------------------------------------------------------------


def test_due_date_without_pauses_uses_the_beijing_date():
    assert calendar.due_date(at(2025, 9, 30), 1, []) == DueDate(D(2025, 10, 9), False)
    # 2025-09-29 20:00 UTC is already 09-30 in Beijing.
    late = dt.datetime(2025, 9, 29, 20, 0, tzinfo=dt.UTC)
    assert calendar.due_date(late, 1).date == D(2025, 10, 9)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        calendar.due_date(dt.datetime(2025, 9, 30, 10), 1, [])


def test_same_day_pause_costs_nothing():
    pauses = [(at(2026, 3, 2, 9), at(2026, 3, 2, 17))]
    assert calendar.due_date(at(2026, 3, 2), 5, pauses).date == D(2026, 3, 9)


def test_pause_extends_by_working_days_between():
    # Mon 3-2 → Wed 3-4: the clock stops for Tue and Wed.
    pauses = [(at(2026, 3, 2, 11), at(2026, 3, 4, 9))]
    assert calendar.due_date(at(2026, 3, 2), 5, pauses).date == D(2026, 3, 11)


def test_pause_over_a_holiday_only_costs_its_working_days():
    # 2025-09-30 → 2025-10-10: working days in between are 10-09 and 10-10.
    start = at(2025, 9, 26)  # Fri; 5 working days → 9-28, 9-29, 9-30, 10-9, 10-10
    assert calendar.due_date(start, 5).date == D(2025, 10, 10)
    pauses = [(at(2025, 9, 30), at(2025, 10, 10))]
    assert calendar.due_date(start, 5, pauses).date == D(2025, 10, 13)  # 10-11 Sat, 10-13 Mon


def test_overlapping_pauses_are_not_counted_twice():
    start = at(2026, 3, 2)
    one = (at(2026, 3, 2, 11), at(2026, 3, 4, 9))  # Tue, Wed
    two = (at(2026, 3, 3, 11), at(2026, 3, 5, 9))  # Wed, Thu
    assert calendar.due_date(start, 5, [one]).date == D(2026, 3, 11)
    # Union covers Tue, Wed, Thu: 3 days, not 4.
    assert calendar.due_date(start, 5, [one, two]).date == D(2026, 3, 12)
    assert calendar.due_date(start, 5, [two, one, one]).date == D(2026, 3, 12)


def test_open_pause_runs_until_now():
    start = at(2026, 3, 2)
    pauses = [(at(2026, 3, 3, 10), None)]
    assert calendar.due_date(start, 5, pauses, now=at(2026, 3, 3, 15)).date == D(2026, 3, 9)
    assert calendar.due_date(start, 5, pauses, now=at(2026, 3, 6, 15)).date == D(2026, 3, 12)


def test_pause_before_the_start_is_clipped():
    pauses = [(at(2026, 2, 25), at(2026, 3, 3))]  # only 3-3 lies on the clock
    assert calendar.due_date(at(2026, 3, 2), 5, pauses).date == D(2026, 3, 10)


def test_pause_in_an_unknown_year_makes_the_deadline_provisional():
    start = at(2026, 12, 1)
    assert calendar.due_date(start, 3).provisional is False
    pause = [(at(2026, 12, 2), at(2027, 1, 8))]
    result = calendar.due_date(start, 3, pause)
    assert result.provisional is True


def test_due_at_is_the_end_of_the_due_day_in_beijing():
    due = DueDate(D(2025, 10, 9), False).due_at
    assert due.tzinfo is not None
    assert due.astimezone(CST).date() == D(2025, 10, 9)
    assert due.astimezone(CST).hour == 23


# --- deadline_status ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "warn_within", "status"),
    [
        (D(2025, 10, 10), 1, "overdue"),
        (D(2025, 10, 9), 1, "warning"),  # due today
        (D(2025, 10, 9), 0, "warning"),
        (D(2025, 10, 8), 0, "normal"),  # 1 working day left
        (D(2025, 10, 8), 1, "warning"),
        (D(2025, 9, 30), 1, "warning"),  # only 10-09 left after the holiday
        (D(2025, 9, 29), 1, "normal"),
        (D(2025, 9, 29), 2, "warning"),
    ],
)
def test_deadline_status(today, warn_within, status):
    assert calendar.deadline_status(D(2025, 10, 9), today, warn_within) == status


# --- caching -----------------------------------------------------------------------------------


def test_deadlines_cost_at_most_one_query_cold_and_none_warm(
    django_assert_max_num_queries, django_assert_num_queries
):
    with django_assert_max_num_queries(1):
        calendar.due_date(at(2025, 9, 30), 20, [(at(2025, 10, 9), at(2025, 10, 15))])
    with django_assert_num_queries(0):
        calendar.due_date(at(2025, 9, 30), 20, [(at(2025, 10, 9), at(2025, 10, 15))])
        calendar.add_working_days(D(2026, 12, 1), 60)
        calendar.working_days_between(D(2004, 1, 1), D(2030, 1, 1))
        calendar.deadline_status(D(2026, 1, 5), D(2025, 12, 31))
        calendar.is_workday(D(2026, 2, 14))


def test_year_days_describes_kinds_and_names():
    days = {info.date: info for info in calendar.year_days(2025)}
    assert len(days) == 365
    assert days[D(2025, 10, 1)].kind == "holiday"
    assert days[D(2025, 10, 1)].name == "国庆节"
    assert days[D(2025, 10, 6)].name == "中秋"
    assert days[D(2025, 10, 11)].kind == "adjusted"
    assert days[D(2025, 10, 12)].kind == "weekend"
    assert days[D(2025, 10, 13)].kind == "workday"
    provisional = calendar.year_days(2027)
    assert {info.kind for info in provisional} == {"provisional"}


def test_pinned_snapshot_serves_a_whole_batch_without_cache_reads(monkeypatch):
    from django.core.cache import cache

    with calendar.pinned():
        monkeypatch.setattr(cache, "get", lambda *a, **k: pytest.fail("cache read in pinned block"))
        for day in range(1, 29):
            calendar.due_date(at(2026, 2, day), 5, [])
        assert calendar.add_working_days(D(2026, 2, 13), 2).date == D(2026, 2, 24)
