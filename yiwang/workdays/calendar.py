"""Working-day arithmetic: the only place where deadlines are computed.

Sources, in order of precedence, for whether a day is a working day:

1. ``HolidayOverride`` rows entered by the data authority from the State
   Council notice (for years the package does not know yet, or corrections);
2. the ``chinesecalendar`` package (official schedule with 调休);
3. for years neither knows: Monday to Friday. Such days are *provisional*, and
   so is every deadline that counts over them.

A year counts as *known* when the package covers it or at least one override
has been entered for it (the administrator enters a year's notice as a whole).

Caching: the override table is small and is loaded with one query into the
Django cache under a generation key; each process keeps per-year lookup tables
(prefix sums) for the current generation, so a warm call costs one cache read
and no database query. ``yiwang.workdays.actions`` bump the generation when
overrides change (at once and again on commit); inside a transaction that has
changed overrides, the calendar reads the table directly so it sees its own
uncommitted writes without leaking them into the shared cache. With the
per-process ``LocMemCache`` other processes converge within ``CACHE_TTL``.
"""

from __future__ import annotations

import functools
import threading
import uuid
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate
from zoneinfo import ZoneInfo

import chinese_calendar
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CHINA_TZ",
    "PACKAGE_YEARS",
    "DayInfo",
    "DayKind",
    "DeadlineStatus",
    "DueDate",
    "add_working_days",
    "deadline_status",
    "due_date",
    "invalidate",
    "is_known",
    "is_workday",
    "local_date",
    "pinned",
    "today",
    "working_days_between",
    "year_days",
]

#: Statutory time limits run on Beijing time whatever the server's settings say.
CHINA_TZ = ZoneInfo("Asia/Shanghai")

#: First and last year the installed ``chinesecalendar`` carries data for.
PACKAGE_YEARS = (min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year)

GENERATION_KEY = "yiwang:workdays:generation"
DATA_KEY = "yiwang:workdays:overrides:"
CACHE_TTL = 300  # seconds; bounds staleness for per-process caches


class DeadlineStatus(models.TextChoices):
    NORMAL = "normal", _("On time")
    WARNING = "warning", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class DayKind(models.TextChoices):
    WORKDAY = "workday", _("Working day")
    WEEKEND = "weekend", _("Weekend")
    HOLIDAY = "holiday", _("Public holiday")
    ADJUSTED = "adjusted", _("Make-up working day (调休)")
    PROVISIONAL = "provisional", _("Not yet published (assumed Monday to Friday)")


@dataclass(frozen=True)
class DueDate:
    """A deadline: the last day (inclusive) and whether it rests on assumed days."""

    date: date
    provisional: bool

    @property
    def due_at(self) -> datetime:
        """The last instant of the due day in Beijing time (store this as ``due_at``)."""
        return datetime.combine(self.date, time.max, tzinfo=CHINA_TZ)


@dataclass(frozen=True)
class DayInfo:
    date: date
    is_workday: bool
    known: bool
    kind: DayKind
    name: str
    overridden: bool


# --- the package --------------------------------------------------------------

_PACKAGE_HOLIDAY_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}


@functools.cache
def package_covers(year: int) -> bool:
    """Whether ``chinesecalendar`` has the official schedule for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _days_in_year(year: int) -> int:
    return 366 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 365


@lru_cache(maxsize=64)
def _base_flags(year: int) -> bytes:
    """Working-day flags from the package, or Monday to Friday where it has no data."""
    first = date(year, 1, 1)
    covered = package_covers(year)
    # The package's own dictionaries (public API) give the same answers as
    # chinese_calendar.is_workday() without its per-call range check.
    cc_workdays, cc_holidays = chinese_calendar.workdays, chinese_calendar.holidays
    flags = bytearray(_days_in_year(year))
    for i in range(len(flags)):
        d = first + timedelta(days=i)
        weekday = d.weekday() < 5
        if covered:
            flags[i] = d in cc_workdays or (weekday and d not in cc_holidays)
        else:
            flags[i] = weekday
    return bytes(flags)


# --- per-year tables ------------------------------------------------------------


@dataclass(frozen=True)
class _Year:
    first: date
    flags: bytes  # 1 = working day, one byte per day of the year
    prefix: list[int]  # prefix[k] = working days among the first k days
    known: bool

    @property
    def ndays(self) -> int:
        return len(self.flags)


class _Snapshot:
    """The override table at one generation, with lazily built year tables."""

    def __init__(self, token: str | None, overrides: dict[date, bool]):
        self.token = token
        self.overrides = overrides
        self.override_years = frozenset(d.year for d in overrides)
        self._years: dict[int, _Year] = {}

    def year(self, year: int) -> _Year:
        table = self._years.get(year)
        if table is None:
            table = self._build(year)
            self._years[year] = table
        return table

    def _build(self, year: int) -> _Year:
        first = date(year, 1, 1)
        flags = _base_flags(year)
        if year in self.override_years:
            mutable = bytearray(flags)
            for d, workday in self.overrides.items():
                if d.year == year:
                    mutable[(d - first).days] = workday
            flags = bytes(mutable)
        prefix = [0, *accumulate(flags)]
        known = package_covers(year) or year in self.override_years
        return _Year(first, flags, prefix, known)


_memo: _Snapshot | None = None
_local = threading.local()


def _load_overrides(using: str) -> dict[date, bool]:
    from .models import HolidayOverride

    return dict(HolidayOverride.objects.using(using).values_list("date", "is_workday"))


def invalidate() -> None:
    """Forget cached overrides everywhere (new generation) and in this process."""
    global _memo
    _memo = None
    cache.set(GENERATION_KEY, uuid.uuid4().hex, CACHE_TTL)


def mark_changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """Called when overrides are written: bypass caches until the transaction ends."""
    connection = connections[using]
    if connection.in_atomic_block and connection.atomic_blocks:
        markers = getattr(_local, "dirty", None)
        if markers is None:
            markers = _local.dirty = {}
        # The outermost atomic block identifies the transaction.
        markers[using] = connection.atomic_blocks[0]
    invalidate()


def _in_changed_transaction(using: str) -> bool:
    markers = getattr(_local, "dirty", None)
    if not markers or using not in markers:
        return False
    connection = connections[using]
    if (
        connection.in_atomic_block
        and connection.atomic_blocks
        and connection.atomic_blocks[0] is markers[using]
    ):
        return True
    # That transaction has ended (committed or rolled back).
    del markers[using]
    invalidate()
    return False


def _snapshot(using: str = DEFAULT_DB_ALIAS) -> _Snapshot:
    global _memo
    pinned_snapshot = getattr(_local, "pinned", None)
    if pinned_snapshot is not None:
        return pinned_snapshot
    if _in_changed_transaction(using):
        return _Snapshot(None, _load_overrides(using))
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, CACHE_TTL)
        token = cache.get(GENERATION_KEY)
        if token is None:  # a cache that stores nothing (DummyCache)
            return _Snapshot(None, _load_overrides(using))
    memo = _memo
    if memo is not None and memo.token == token:
        return memo
    overrides = cache.get(DATA_KEY + token)
    if overrides is None:
        overrides = _load_overrides(using)
        cache.set(DATA_KEY + token, overrides, CACHE_TTL)
    memo = _Snapshot(token, overrides)
    _memo = memo
    return memo


@contextmanager
def pinned() -> Iterator[None]:
    """Use one calendar snapshot for every call in the block (in this thread).

    For bulk recomputation (a deadline sweep over many cases): the whole block
    costs at most one cache read and one query. Overrides changed inside the
    block are not seen by it.
    """
    previous = getattr(_local, "pinned", None)
    _local.pinned = previous or _snapshot()
    try:
        yield
    finally:
        _local.pinned = previous


# --- helpers -------------------------------------------------------------------


def local_date(value: date | datetime) -> date:
    """The Beijing-time calendar date of an aware datetime (a date is returned as is)."""
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            raise ValueError("Deadlines need aware datetimes; got a naive datetime.")
        return value.astimezone(CHINA_TZ).date()
    if isinstance(value, date):
        return value
    raise TypeError(f"Expected a date or datetime, got {type(value).__name__}.")


def today() -> date:
    """Today's date in Beijing time."""
    return local_date(timezone.now())


def _check_n(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("The number of working days must be an int.")
    if n < 0:
        raise ValueError("The number of working days cannot be negative.")


def _add(snap: _Snapshot, start: date, n: int) -> DueDate:
    if n == 0:
        return DueDate(start, False)
    remaining, provisional = n, False
    table = snap.year(start.year)
    k = (start - table.first).days + 1  # days of the year up to and including start
    while True:
        if k < table.ndays and not table.known:
            provisional = True
        available = table.prefix[-1] - table.prefix[k]
        if remaining <= available:
            j = bisect_left(table.prefix, table.prefix[k] + remaining)
            return DueDate(table.first + timedelta(days=j - 1), provisional)
        remaining -= available
        table = snap.year(table.first.year + 1)
        k = 0


def _between(snap: _Snapshot, a: date, b: date) -> int:
    if b <= a:
        return 0
    total = 0
    for year in range(a.year, b.year + 1):
        table = snap.year(year)
        lo = min(max((a - table.first).days + 1, 0), table.ndays)
        hi = min(max((b - table.first).days + 1, 0), table.ndays)
        total += table.prefix[hi] - table.prefix[lo]
    return total


def _range_known(snap: _Snapshot, a: date, b: date) -> bool:
    """Whether every day d with a < d <= b is in a known year."""
    if b <= a:
        return True
    first = a + timedelta(days=1)
    return all(snap.year(y).known for y in range(first.year, b.year + 1))


# --- public API ------------------------------------------------------------------


def is_workday(d: date) -> bool:
    """Override first, then the official schedule, then Monday to Friday."""
    d = local_date(d)
    table = _snapshot().year(d.year)
    return bool(table.flags[(d - table.first).days])


def is_known(d: date) -> bool:
    """Whether ``d``'s year has an official schedule (package or overrides)."""
    return _snapshot().year(local_date(d).year).known


def add_working_days(start: date, n: int) -> DueDate:
    """The ``n``-th working day after ``start`` (not counting ``start``); ``n = 0``: ``start``."""
    _check_n(n)
    return _add(_snapshot(), local_date(start), n)


def working_days_between(a: date, b: date) -> int:
    """Number of working days ``d`` with ``a < d <= b`` (0 when ``b <= a``)."""
    return _between(_snapshot(), local_date(a), local_date(b))


def _merge(intervals: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """Union of the day sets (a, b]; touching intervals merge too."""
    merged: list[tuple[date, date]] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def due_date(
    start: datetime,
    n: int,
    pauses: Iterable[tuple[datetime, datetime | None]] = (),
    now: datetime | None = None,
) -> DueDate:
    """The statutory deadline ``n`` working days after ``start``, extended by pauses.

    Each pause (补正, 特别程序) from day A to day B adds the working days
    ``A < d <= B``; an open pause (end ``None``) runs until ``now``. Pauses are
    clipped to the clock (nothing before ``start`` counts) and merged, so
    overlapping pauses are not counted twice.
    """
    _check_n(n)
    snap = _snapshot()
    start_day = local_date(start)
    now_day: date | None = None
    intervals: list[tuple[date, date]] = []
    for pause_start, pause_end in pauses:
        a = max(local_date(pause_start), start_day)
        if pause_end is None:
            if now_day is None:
                now_day = local_date(now if now is not None else timezone.now())
            b = now_day
        else:
            b = local_date(pause_end)
        if b > a:
            intervals.append((a, b))
    merged = _merge(intervals)
    extension = sum(_between(snap, a, b) for a, b in merged)
    result = _add(snap, start_day, n + extension)
    if not result.provisional and not all(_range_known(snap, a, b) for a, b in merged):
        result = DueDate(result.date, True)
    return result


def deadline_status(due: date, today: date, warn_within: int = 1) -> str:
    """``"overdue"`` after the due day; ``"warning"`` when at most ``warn_within``
    working days remain (due today included); otherwise ``"normal"``."""
    due, today = local_date(due), local_date(today)
    if today > due:
        return DeadlineStatus.OVERDUE
    if _between(_snapshot(), today, due) <= warn_within:
        return DeadlineStatus.WARNING
    return DeadlineStatus.NORMAL


def year_days(year: int) -> list[DayInfo]:
    """Every day of ``year`` with its kind, for calendars (override names not included)."""
    snap = _snapshot()
    table = snap.year(year)
    days = []
    for i, flag in enumerate(table.flags):
        d = table.first + timedelta(days=i)
        workday = bool(flag)
        weekend = d.weekday() >= 5
        overridden = d in snap.overrides
        name = ""
        if not table.known:
            kind = DayKind.PROVISIONAL
        elif overridden:
            kind = (
                (DayKind.ADJUSTED if weekend else DayKind.WORKDAY) if workday else DayKind.HOLIDAY
            )
        elif d in chinese_calendar.holidays:
            kind = DayKind.HOLIDAY
            name = _PACKAGE_HOLIDAY_NAMES.get(chinese_calendar.holidays[d], "")
        elif d in chinese_calendar.workdays:
            kind = DayKind.ADJUSTED
            name = _PACKAGE_HOLIDAY_NAMES.get(chinese_calendar.workdays[d], "")
        else:
            kind = DayKind.WORKDAY if workday else DayKind.WEEKEND
        days.append(DayInfo(d, workday, table.known, kind, name, overridden))
    return days
