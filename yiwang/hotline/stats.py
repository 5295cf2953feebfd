"""Figures of the 12345 hotline and of the grid app's city-management events.

Everything is computed with a few GROUP BY queries over indexed columns
(``created_at``) limited to the selected period, then rolled up in Python:
the cost depends on the period's volume, not on the size of the history.

Definitions (per ticket registered in the period):
- volume: tickets registered;
- on-time rate: closed by the deadline (``closed_at`` date ≤ ``due_at``; tickets closed at once
  have no deadline and count as on time) ÷ closed;
- call-back rate: called back ÷ closed;
- call-back results: every round of 回访 recorded for these tickets (``CallBack``), a first
  不满意 included even when the ticket was reopened and later rated again;
- satisfaction rate (满意率): satisfied or basically satisfied ÷ call-back results;
- dissatisfaction rate (不满意率): dissatisfied ÷ call-back results.

By department, ticket counts follow the current lead department and call-back results the
department that was responsible when the caller was called back (``CallBack.department``).
The department assessment (考核) ranks departments on these figures: see ``assess``.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Any, cast

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from yiwang.grid.models import CityEvent, ComponentClass, EventClass, EventStatus
from yiwang.orgs.models import Department, Role
from yiwang.orgs.scope import posts_of, subtree_q
from yiwang.regions.models import Region
from yiwang.workdays import calendar as workdays

from .models import (
    COUNTY_CODE,
    CallBack,
    Category,
    Channel,
    Satisfaction,
    Status,
    Ticket,
    TicketType,
)

STATS_ROLES = (Role.DISPATCHER, Role.LEADER, Role.AUTHORITY)
MAX_RANGE_DAYS = 366
HOT_SPOTS = 10
CACHE_SECONDS = 60

PERIODS = {
    "this_week": gettext_lazy("This week"),
    "last_week": gettext_lazy("Last week"),
    "this_month": gettext_lazy("This month"),
    "last_month": gettext_lazy("Last month"),
    "custom": gettext_lazy("Custom range"),
}


@dataclass
class Period:
    key: str
    start: date
    end: date  # inclusive

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes in the current time zone."""
        return (
            timezone.make_aware(datetime.combine(self.start, time.min)),
            timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min)),
        )


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def resolve_period(params, today: date | None = None) -> Period:
    """The period from GET parameters ``period`` (+ ``start``/``end`` for a custom range)."""
    today = today or workdays.today()
    key = params.get("period") or "this_week"
    if key not in PERIODS:
        raise ValidationError(
            {
                "period": [
                    _("Choose this week, last week, this month, last month or a custom range.")
                ]
            }
        )
    if key == "this_week":
        return Period(key, _week_start(today), today)
    if key == "last_week":
        start = _week_start(today) - timedelta(days=7)
        return Period(key, start, start + timedelta(days=6))
    if key == "this_month":
        return Period(key, today.replace(day=1), today)
    if key == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return Period(key, end.replace(day=1), end)
    errors: dict[str, list] = {}
    dates: dict[str, date] = {}
    for name, label in (("start", _("start date")), ("end", _("end date"))):
        raw = (params.get(name) or "").strip()
        try:
            value = parse_date(raw) if raw else None
        except ValueError:
            value = None
        if value is None:
            errors[name] = [
                _("Enter the %(label)s as YYYY-MM-DD, e.g. 2026-05-01.") % {"label": label}
            ]
        else:
            dates[name] = value
    if not errors:
        if dates["end"] < dates["start"]:
            errors["end"] = [_("The end date must not be before the start date.")]
        elif (dates["end"] - dates["start"]).days >= MAX_RANGE_DAYS:
            errors["end"] = [
                _("A range may cover at most %(days)d days; choose a shorter one.")
                % {"days": MAX_RANGE_DAYS}
            ]
    if errors:
        raise ValidationError(errors)
    return Period(key, dates["start"], dates["end"])


# --- scope ------------------------------------------------------------------------


def scope_of(user) -> tuple[Q, str]:
    """(filter on ``region__path``, cache key) for dispatchers, leaders and the data authority.

    Raises PermissionDenied for everyone else."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        raise PermissionDenied(
            _("Log in as a dispatcher, leader or data authority to see figures.")
        )
    if user.is_superuser:
        return Q(), "all"
    posts = posts_of(user, STATS_ROLES)
    if not posts:
        raise PermissionDenied(
            _("The 12345 figures are for dispatchers, leaders and the data authority only.")
        )
    paths = sorted({p.region.path for p in posts})
    county = Region.objects.filter(code=COUNTY_CODE).values_list("path", flat=True).first()
    if county and any(county.startswith(path) for path in paths):
        return Q(), "all"  # every ticket lies in the county
    return subtree_q(paths), hashlib.sha256("|".join(paths).encode()).hexdigest()[:16]


# --- figures ----------------------------------------------------------------------


COUNTED = (
    "total",
    "closed",
    "on_time",
    "called_back",
    "rated",
    "satisfied",
    "fully_satisfied",
    "basic",
    "dissatisfied",
)


@dataclass
class Figures:
    total: int = 0
    closed: int = 0
    on_time: int = 0
    called_back: int = 0
    # Call-back results (city cases: evaluations) and how they went; ``satisfied`` is the
    # numerator of the satisfaction rate (满意 + 基本满意; city cases: scores 4–5).
    rated: int = 0
    satisfied: int = 0
    fully_satisfied: int = 0
    basic: int = 0
    dissatisfied: int = 0

    def add(self, row: Mapping[str, Any]) -> None:
        for name in COUNTED:
            setattr(self, name, getattr(self, name) + (row.get(name) or 0))

    @staticmethod
    def _rate(num: int, den: int) -> float | None:
        return round(100.0 * num / den, 1) if den else None

    @property
    def on_time_rate(self) -> float | None:
        return self._rate(self.on_time, self.closed)

    @property
    def callback_rate(self) -> float | None:
        return self._rate(self.called_back, self.closed)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._rate(self.satisfied, self.rated)

    @property
    def dissatisfaction_rate(self) -> float | None:
        return self._rate(self.dissatisfied, self.rated)

    def as_dict(self) -> dict:
        return {
            **{name: getattr(self, name) for name in COUNTED},
            "on_time_rate": self.on_time_rate,
            "callback_rate": self.callback_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "dissatisfaction_rate": self.dissatisfaction_rate,
        }


@dataclass
class Breakdown:
    """Figures per key, with display names; ``rows()`` sorted by volume."""

    figures: dict = field(default_factory=lambda: defaultdict(Figures))
    names: dict = field(default_factory=dict)

    def rows(self) -> list[dict]:
        out = [
            {"key": key, "name": self.names.get(key, str(key)), **fig.as_dict()}
            for key, fig in self.figures.items()
        ]
        out.sort(key=lambda r: (-r["total"], r["name"]))
        return out


_CLOSED = Q(status=Status.CLOSED)
TICKET_COUNTS = {
    "total": Count("id"),
    "closed": Count("id", filter=_CLOSED),
    "on_time": Count(
        "id", filter=_CLOSED & (Q(due_at__isnull=True) | Q(closed_at__date__lte=F("due_at")))
    ),
    "called_back": Count("id", filter=_CLOSED & Q(callback_at__isnull=False)),
}
#: Over the call-back history (every round), not the ticket's current satisfaction.
CALLBACK_COUNTS = {
    "rated": Count("id"),
    "satisfied": Count(
        "id", filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])
    ),
    "fully_satisfied": Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
    "basic": Count("id", filter=Q(satisfaction=Satisfaction.BASIC)),
    "dissatisfied": Count("id", filter=Q(satisfaction=Satisfaction.DISSATISFIED)),
}


def _on_ticket(q: Q) -> Q:
    """``q`` (a filter on tickets) as a filter on their call-back records."""
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            out.children.append(_on_ticket(child))
        else:
            lookup, value = cast(tuple, child)  # what Q(**kwargs) holds
            out.children.append((f"ticket__{lookup}", value))
    return out


def _top_categories() -> tuple[dict[int, int], dict[int, str], dict[int, str]]:
    """(category id → its 大类 id, 大类 names, all names) from the small category table."""
    cats = {c["id"]: c for c in Category.objects.values("id", "name", "parent_id")}
    top, names = {}, {}
    for pk, cat in cats.items():
        node = cat
        for _hop in range(5):
            if node["parent_id"] is None or node["parent_id"] not in cats:
                break
            node = cats[node["parent_id"]]
        top[pk] = node["id"]
        names[pk] = cat["name"]
    return top, {pk: names[pk] for pk in set(top.values())}, names


def ticket_figures(scope: Q, period: Period, categories=None) -> dict:
    start, end = period.bounds()
    base = Ticket.objects.filter(scope, created_at__gte=start, created_at__lt=end).order_by()
    callbacks = CallBack.objects.filter(
        _on_ticket(scope), ticket__created_at__gte=start, ticket__created_at__lt=end
    ).order_by()
    # The call-back records' path to each dimension (their own department: see the docstring).
    on_callback = {
        "type": F("ticket__type"),
        "channel": F("ticket__channel"),
        "category_id": F("ticket__category_id"),
        "lead_department_id": F("department_id"),
        "town_id": F("ticket__town_id"),
        "day": TruncDate("ticket__created_at"),
    }

    def per(*fields, **expressions) -> list[dict]:
        # One small GROUP BY per dimension (tens of rows each) over the tickets and one over
        # their call-back records, rather than one row per type × category × department ×
        # town × day rolled up in Python.
        rows = list(base.values(*fields, **expressions).annotate(**TICKET_COUNTS))
        key = (fields or tuple(expressions))[0]
        return rows + list(callbacks.values(**{key: on_callback[key]}).annotate(**CALLBACK_COUNTS))

    total = Figures()
    by_type, by_channel, by_category, by_department, by_town = (
        Breakdown(),
        Breakdown(),
        Breakdown(),
        Breakdown(),
        Breakdown(),
    )
    by_day: dict[date, Figures] = defaultdict(Figures)
    top, top_names, _names = categories or _top_categories()
    for row in per("type"):
        total.add(row)
        by_type.figures[row["type"]].add(row)
    for row in per("channel"):
        by_channel.figures[row["channel"]].add(row)
    for row in per("category_id"):
        by_category.figures[top.get(row["category_id"], row["category_id"])].add(row)
    for row in per("lead_department_id"):
        by_department.figures[row["lead_department_id"]].add(row)
    for row in per("town_id"):
        by_town.figures[row["town_id"]].add(row)
    for row in per(day=TruncDate("created_at")):
        day = row["day"]
        if isinstance(day, datetime):
            day = day.date()
        by_day[day].add(row)
    by_type.names = {t.value: str(t.label) for t in TicketType}
    by_channel.names = {c.value: str(c.label) for c in Channel}
    by_category.names = top_names
    dept_ids = [k for k in by_department.figures if k is not None]
    by_department.names = dict(Department.objects.filter(pk__in=dept_ids).values_list("pk", "name"))
    by_department.names[None] = _("Not yet dispatched")
    town_ids = [k for k in by_town.figures if k is not None]
    by_town.names = dict(Region.objects.filter(pk__in=town_ids).values_list("pk", "name"))
    by_town.names[None] = _("County level (no town)")
    trend = [
        {"day": day.isoformat(), **by_day.get(day, Figures()).as_dict()} for day in period.days
    ]
    by_department_rows = by_department.rows()
    return {
        "total": total.as_dict(),
        "by_type": by_type.rows(),
        "by_channel": by_channel.rows(),
        "by_category": by_category.rows(),
        "by_department": by_department_rows,
        "assessment": assess(by_department_rows),
        "by_town": by_town.rows(),
        "trend": trend,
    }


# --- department assessment (考核) --------------------------------------------------------

#: A department is ranked from this many call-back results in the period; with fewer its
#: rates say too little and it is listed after the ranked ones, without a rank.
MIN_RANKED_CALLBACKS = 1


def _ratio(num: int, den: int) -> Fraction:
    return Fraction(num, den) if den else Fraction(0)


def _rank_key(row: dict) -> tuple:
    """What the rank compares, exactly (fractions, not the rounded percentages)."""
    return (
        _ratio(row["dissatisfied"], row["rated"]),  # 不满意率: lower is better
        -_ratio(row["fully_satisfied"], row["rated"]),  # then more 满意 (not just 基本满意)
        -_ratio(row["on_time"], row["closed"]),  # then closed on time more often
    )


def assess(rows: Iterable[dict]) -> list[dict]:
    """考核: the departments' figures with a rank, best first.

    Ranking rule (also in docs/zh/hotline-dispatcher.md):
    1. only departments with at least ``MIN_RANKED_CALLBACKS`` call-back results in the period
       are ranked; the others follow without a rank;
    2. a lower 不满意率 (dissatisfied ÷ call-back results) ranks higher;
    3. on equal 不满意率, a higher share of 满意 among the results;
    4. then a higher on-time rate (a department with nothing closed counts as 0 %).
    Departments equal on all three share a rank and the next rank is skipped (1, 1, 3);
    within a rank, and among the unranked, more tickets and then the name come first.
    The "not yet dispatched" row is not a department and is left out.
    """
    departments = [dict(r) for r in rows if r["key"] is not None]
    ranked = [r for r in departments if r["rated"] >= MIN_RANKED_CALLBACKS]
    unranked = [r for r in departments if r["rated"] < MIN_RANKED_CALLBACKS]
    ranked.sort(key=lambda r: (_rank_key(r), -r["total"], r["name"]))
    previous = None
    for position, row in enumerate(ranked, start=1):
        key = _rank_key(row)
        row["rank"] = previous["rank"] if previous and key == _rank_key(previous) else position
        previous = row
    unranked.sort(key=lambda r: (-r["total"], r["name"]))
    for row in unranked:
        row["rank"] = None
    return ranked + unranked


def _change(this: int, last: int) -> dict:
    return {
        "this_week": this,
        "last_week": last,
        "change": this - last,
        "change_pct": round(100.0 * (this - last) / last, 1) if last else None,
    }


def hot_spots(scope: Q, today: date | None = None, categories=None) -> dict:
    """Top categories (小类) and places (village, else town) this week vs last week."""
    today = today or workdays.today()
    this_start = timezone.make_aware(datetime.combine(_week_start(today), time.min))
    last_start = this_start - timedelta(days=7)
    end = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    base = Ticket.objects.filter(scope, created_at__gte=last_start, created_at__lt=end)
    this = Count("id", filter=Q(created_at__gte=this_start))
    last = Count("id", filter=Q(created_at__lt=this_start))
    cats = list(
        base.values("category_id").annotate(this=this, last=last).order_by("-this", "category_id")
    )
    places = list(
        base.values("region_id").annotate(this=this, last=last).order_by("-this", "region_id")
    )
    _top, _top_names, names = categories or _top_categories()
    cats = cats[:HOT_SPOTS]
    places = places[:HOT_SPOTS]
    region_names = dict(
        Region.objects.filter(pk__in=[p["region_id"] for p in places]).values_list("pk", "name")
    )
    return {
        "categories": [
            {"name": names.get(c["category_id"], ""), **_change(c["this"], c["last"])} for c in cats
        ],
        "places": [
            {"name": region_names.get(p["region_id"], ""), **_change(p["this"], p["last"])}
            for p in places
        ],
    }


def event_figures(scope: Q, period: Period) -> dict:
    """City-management events (the grid app): volume, on-time and good evaluations."""
    done = Q(status__in=[EventStatus.CLOSED, EventStatus.EVALUATED])
    start, end = period.bounds()
    rows = list(
        CityEvent.objects.filter(scope, created_at__gte=start, created_at__lt=end)
        .exclude(status=EventStatus.CANCELLED)
        .values("kind", "category", "department_id")
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=done),
            on_time=Count(
                "id", filter=done & (Q(due_at__isnull=True) | Q(closed_at__lte=F("due_at")))
            ),
            satisfied=Count("id", filter=Q(score__gte=4)),
            rated=Count("id", filter=Q(score__isnull=False)),
        )
        .order_by()
    )
    total, by_class, by_department = Figures(), Breakdown(), Breakdown()
    for row in rows:
        total.add(row)
        by_class.figures[f"{row['kind']}:{row['category']}"].add(row)
        by_department.figures[row["department_id"]].add(row)
    for key in by_class.figures:
        kind, category = key.split(":", 1)
        choices = ComponentClass if kind == "component" else EventClass
        try:
            by_class.names[key] = str(choices(category).label)
        except ValueError:
            by_class.names[key] = category
    by_department.names = dict(
        Department.objects.filter(
            pk__in=[k for k in by_department.figures if k is not None]
        ).values_list("pk", "name")
    )
    by_department.names[None] = _("Not yet dispatched")
    return {
        "total": total.as_dict(),
        "by_class": by_class.rows(),
        "by_department": by_department.rows(),
    }


def compute(user, period: Period, *, use_cache: bool = True) -> dict:
    """All figures for ``user``'s scope and ``period`` (cached for a minute)."""
    scope, scope_key = scope_of(user)
    key = (
        f"hotline:stats:v2:{scope_key}:{period.start}:{period.end}:{workdays.today()}:"
        f"{get_language()}"
    )
    if use_cache:
        cached = cache.get(key)
        if cached is not None:
            return cached
    categories = _top_categories()
    data = {
        "tickets": ticket_figures(scope, period, categories),
        "hot_spots": hot_spots(scope, categories=categories),
        "events": event_figures(scope, period),
    }
    if use_cache:
        cache.set(key, data, CACHE_SECONDS)
    return data
