"""Property tests of the working-day arithmetic (package years, fallback years and the seam)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiwang.workdays import calendar

CST = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

days = st.dates(min_value=dt.date(2002, 1, 1), max_value=dt.date(2029, 12, 31))
counts = st.integers(min_value=0, max_value=400)


def aware(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=CST)


pauses = st.lists(
    st.tuples(
        days, st.integers(0, 23), st.one_of(st.none(), st.integers(0, 60)), st.integers(0, 23)
    ),
    max_size=4,
)


def to_pauses(raw):
    result = []
    for start, h1, length, h2 in raw:
        end = None if length is None else aware(start + dt.timedelta(days=length), h2)
        result.append((aware(start, h1), end))
    return result


@SETTINGS
@given(start=days, n=counts)
def test_between_inverts_add(start, n):
    due = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, due.date) == n
    if n > 0:
        assert calendar.is_workday(due.date)
        # Nothing earlier would do: one day less has one working day less.
        assert calendar.working_days_between(start, due.date - dt.timedelta(days=1)) == n - 1


@SETTINGS
@given(start=days, n1=counts, n2=counts)
def test_monotone_in_n(start, n1, n2):
    lo, hi = sorted((n1, n2))
    assert calendar.add_working_days(start, lo).date <= calendar.add_working_days(start, hi).date


@SETTINGS
@given(a=days, b=days, n=counts)
def test_monotone_in_start(a, b, n):
    a, b = sorted((a, b))
    assert calendar.add_working_days(a, n).date <= calendar.add_working_days(b, n).date


@SETTINGS
@given(a=days, b=days, c=days)
def test_between_is_additive(a, b, c):
    a, b, c = sorted((a, b, c))
    assert calendar.working_days_between(a, c) == (
        calendar.working_days_between(a, b) + calendar.working_days_between(b, c)
    )


@SETTINGS
@given(a=days, span=st.integers(0, 80))
def test_between_counts_working_days_one_by_one(a, span):
    b = a + dt.timedelta(days=span)
    expected = sum(calendar.is_workday(a + dt.timedelta(days=i)) for i in range(1, span + 1))
    assert calendar.working_days_between(a, b) == expected


@SETTINGS
@given(start=days, n=counts)
def test_provisional_exactly_when_an_unknown_day_is_counted(start, n):
    due = calendar.add_working_days(start, n)
    span = (due.date - start).days
    unknown = any(not calendar.is_known(start + dt.timedelta(days=i)) for i in range(1, span + 1))
    assert due.provisional == unknown


@SETTINGS
@given(start=days, hour=st.integers(0, 23), n=st.integers(0, 60), raw=pauses, now=days)
def test_pauses_never_shorten_and_duplicates_do_not_count(start, hour, n, raw, now):
    begin = aware(start, hour)
    now_dt = aware(now, 12)
    plain = calendar.due_date(begin, n, [], now=now_dt)
    paused_list = to_pauses(raw)
    paused = calendar.due_date(begin, n, paused_list, now=now_dt)
    assert paused.date >= plain.date
    assert calendar.due_date(begin, n, paused_list * 2, now=now_dt) == paused
    assert calendar.due_date(begin, n, list(reversed(paused_list)), now=now_dt) == paused
    # Extension is at most the sum of the separate pauses' working days.
    separate = sum(
        calendar.working_days_between(
            max(calendar.local_date(a), start), calendar.local_date(b if b else now_dt)
        )
        for a, b in paused_list
    )
    assert calendar.working_days_between(plain.date, paused.date) <= separate


@SETTINGS
@given(start=days, n=st.integers(0, 60), raw=pauses)
def test_adding_a_pause_never_shortens(start, n, raw):
    begin = aware(start, 9)
    now = aware(start + dt.timedelta(days=90), 9)
    items = to_pauses(raw)
    for k in range(len(items)):
        fewer = calendar.due_date(begin, n, items[:k], now=now)
        more = calendar.due_date(begin, n, items[: k + 1], now=now)
        assert more.date >= fewer.date


@SETTINGS
@given(due=days, today=days, warn=st.integers(0, 5))
def test_status_is_consistent(due, today, warn):
    status = calendar.deadline_status(due, today, warn)
    if today > due:
        assert status == "overdue"
    elif today == due:
        assert status == "warning"
    else:
        assert status in {"normal", "warning"}
        assert (status == "warning") == (calendar.working_days_between(today, due) <= warn)
    # A larger warning window never turns a warning back into normal.
    if status == "warning":
        assert calendar.deadline_status(due, today, warn + 1) == "warning"
