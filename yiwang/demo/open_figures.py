"""The rows of the demo's open datasets (县政数局), so the open-data portal shows real
figures on a fresh start:

- 政务服务事项办件量统计: per published service item and month, the last 12 months (this
  month so far included): accepted, completed, on-time rate;
- 12345热线受理情况（按月）: per month and request type: received, closed, on-time and
  satisfaction rates;
- 政务服务大厅和便民服务中心分布: the demo's halls, a service centre in every other town and a
  service station in every demo village, with coordinates inside 大埔县;
- 电子证照发证量（按证照类型）: per month and licence type: issued, valid in total.

The demo has a few months of nothing: the figures are a seeded baseline of the county's
volumes (the same numbers for a month on every run) *plus* what the demo really recorded
— cases of the service items and 12345 tickets of that month are counted in. The current
month's baseline is scaled to the days gone by.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from yiwang.cases.models import Case
from yiwang.cases.models import Status as CaseStatus
from yiwang.catalog.models import ServiceItem
from yiwang.hotline.models import Satisfaction, Ticket
from yiwang.hotline.models import Status as TicketStatus
from yiwang.orgs.models import Hall

from .datafiles import read
from .orgs import DEPARTMENTS
from .regions import COUNTY, TOWNS, VILLAGES

_DATA = read("registries")

ITEM_STATS = "政务服务事项办件量统计"
HOTLINE = "12345热线受理情况（按月）"
SITES = "政务服务大厅和便民服务中心分布"
LICENCE_STATS = "电子证照发证量（按证照类型）"
NAMES = (ITEM_STATS, HOTLINE, SITES, LICENCE_STATS)

MONTHS = 12
#: Service items counted (the demo has 38; a real catalogue loaded beside it has thousands).
MAX_ITEMS = 60
#: Demand by calendar month: low over the Spring Festival, busy before the year ends.
SEASON = {1: 1.05, 2: 0.7, 3: 1.1, 4: 1.0, 5: 0.95, 6: 1.0, 7: 1.05, 8: 1.0, 9: 1.0}
SEASON.update({10: 0.85, 11: 1.05, 12: 1.15})
TOWN_NAMES = dict(TOWNS)
_TENTH = Decimal("0.1")


def months(today: dt.date, count: int = MONTHS) -> list[dt.date]:
    """The first days of the last ``count`` months, oldest first, this month last."""
    first = today.replace(day=1)
    found = []
    for _ in range(count):
        found.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return found[::-1]


def _share(month: dt.date, today: dt.date) -> float:
    """How much of ``month`` has gone by (1 for a past month)."""
    if (month.year, month.month) != (today.year, today.month):
        return 1.0
    return today.day / calendar.monthrange(today.year, today.month)[1]


def _month_key(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m") if value else ""


def _rate(rng: random.Random, low: float, high: float) -> Decimal:
    return min(Decimal(f"{rng.uniform(low, high):.1f}"), Decimal(100))


def _percent(part: int, whole: int) -> float:
    return 100 * part / whole if whole else 0.0


def _weighted_rate(parts: Sequence[tuple[int, Decimal | float]]) -> Decimal | None:
    """The rate over all of ``parts`` (count, rate in %) — None when nothing was counted."""
    total = sum(n for n, _rate in parts)
    if not total:
        return None
    weighted = sum((Decimal(n) * Decimal(str(r)) for n, r in parts), Decimal(0))
    return (weighted / total).quantize(_TENTH)


# --- 政务服务事项办件量统计 ---------------------------------------------------------------


def _case_counts(item_ids: list[int], since: dt.datetime) -> dict[tuple[int, str], list[int]]:
    """``(item id, yyyy-mm)`` → [accepted, completed, completed in time] of real cases."""
    counts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = Case.objects.filter(item_id__in=item_ids, submitted_at__gte=since).values_list(
        "item_id", "submitted_at", "status", "closed_at", "due_at"
    )
    for item_id, submitted, status, closed, due in rows:
        counts[(item_id, _month_key(submitted))][0] += 1
        if status == CaseStatus.CLOSED and closed:
            bucket = counts[(item_id, _month_key(closed))]
            bucket[1] += 1
            bucket[2] += int(due is None or timezone.localtime(closed).date() <= due)
    return counts


def item_rows(today: dt.date) -> list[dict[str, Any]]:
    items = list(
        ServiceItem.objects.published()
        .select_related("item_type", "department", "region")
        .order_by("id")[:MAX_ITEMS]
    )
    window = months(today)
    since = timezone.make_aware(dt.datetime.combine(window[0], dt.time()))
    real = _case_counts([i.pk for i in items], since)
    rows: list[dict[str, Any]] = []
    taken: set[str] = set()
    for item in items:
        code = item.implementation_code
        # 统计月份 + 事项编码: the basic code, told apart when two items share it.
        short, n = item.basic_code, 1
        while short in taken:
            n += 1
            short = f"{item.basic_code}{n:02d}"
        taken.add(short)
        demand = random.Random(f"315:{code}").randint(4, 90)
        for month in window:
            key = f"{month:%Y-%m}"
            rng = random.Random(f"315:{code}:{key}")
            share = _share(month, today)
            accepted = round(demand * SEASON[month.month] * rng.uniform(0.7, 1.3) * share)
            pending = rng.randint(0, max(1, accepted // 8)) if share == 1 else accepted // 3
            completed = max(0, accepted - pending)
            real_accepted, real_completed, real_in_time = real.get((item.pk, key), (0, 0, 0))
            parts: list[tuple[int, Decimal | float]] = [(completed, _rate(rng, 96.5, 100.5))]
            if real_completed:
                parts.append((real_completed, _percent(real_in_time, real_completed)))
            rows.append(
                {
                    "record_no": f"{month:%Y%m}{short}",
                    "stat_month": key,
                    "item_code": code,
                    "item_name": item.name,
                    "department": item.department.name,
                    "accepted": accepted + real_accepted,
                    "completed": completed + real_completed,
                    "on_time_rate": _weighted_rate(parts),
                }
            )
    return rows


# --- 12345热线受理情况（按月） ------------------------------------------------------------


def _ticket_counts(since: dt.datetime) -> dict[tuple[str, str], list[int]]:
    """``(type, yyyy-mm)`` → [received, closed, closed in time, called back, satisfied]."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    rows = (
        Ticket.objects.filter(created_at__gte=since)
        .exclude(status=TicketStatus.MERGED)
        .values_list("type", "created_at", "status", "closed_at", "due_at", "satisfaction")
    )
    for kind, created, status, closed, due, satisfaction in rows:
        counts[(kind, _month_key(created))][0] += 1
        if status == TicketStatus.CLOSED and closed:
            bucket = counts[(kind, _month_key(closed))]
            bucket[1] += 1
            bucket[2] += int(due is None or timezone.localtime(closed).date() <= due)
            if satisfaction:
                bucket[3] += 1
                bucket[4] += int(satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASIC))
    return counts


def hotline_rows(today: dt.date) -> list[dict[str, Any]]:
    window = months(today)
    real = _ticket_counts(timezone.make_aware(dt.datetime.combine(window[0], dt.time())))
    rows = []
    for month in window:
        share = _share(month, today)
        for number, (kind, name, volume) in enumerate(_DATA["hotline"], start=1):
            key = f"{month:%Y-%m}"
            rng = random.Random(f"12345:{kind}:{key}")
            received = round(volume * SEASON[month.month] * rng.uniform(0.85, 1.15) * share)
            closed = received - (rng.randint(0, received // 30) if share == 1 else received // 4)
            got, done, in_time, called, satisfied = real.get((kind, key), (0, 0, 0, 0, 0))
            called_back = round(closed * 0.6)
            rows.append(
                {
                    "record_no": f"{month:%Y%m}{number:02d}",
                    "stat_month": key,
                    "request_type": name,
                    "received": received + got,
                    "closed": closed + done,
                    "on_time_rate": _weighted_rate(
                        [(closed, _rate(rng, 97, 99.8)), (done, _percent(in_time, done))]
                    ),
                    "satisfaction_rate": _weighted_rate(
                        [(called_back, _rate(rng, 93, 98.5)), (called, _percent(satisfied, called))]
                    ),
                }
            )
    return rows


# --- 政务服务大厅和便民服务中心分布 ---------------------------------------------------------


def _point(rng: random.Random, town: str, spread: float) -> tuple[Decimal, Decimal]:
    lng, lat = _DATA["towns"][town]
    return (
        Decimal(f"{lng + rng.uniform(-spread, spread):.6f}"),
        Decimal(f"{lat + rng.uniform(-spread, spread):.6f}"),
    )


def _town_of(region_code: str, address: str) -> str:
    """The town a site is in: its region's, else the first town its address names."""
    if region_code in TOWN_NAMES:
        return region_code
    return next((code for code, name in TOWNS if name in address), TOWNS[0][0])


def site_rows() -> list[dict[str, Any]]:
    texts = _DATA["service_sites"]
    rows: list[dict[str, Any]] = []
    with_hall: set[str] = set()
    for hall in Hall.objects.select_related("region").order_by("region__code", "id"):
        code = hall.region.code
        if not code.startswith(COUNTY[0]):
            continue
        town = _town_of(code, hall.address)
        lng, lat = _point(random.Random(f"site:{hall.name}"), town, 0.004)
        with_hall.add(code)
        rows.append(
            {
                "site_code": f"{code.ljust(12, '0')}{len(rows) + 1:02d}",
                "site_name": hall.name,
                "site_level": "县" if code == COUNTY[0] else "镇",
                "town": TOWN_NAMES[town],
                "address": hall.address,
                "opening_hours": hall.opening_hours,
                "phone": hall.phone,
                "longitude": lng,
                "latitude": lat,
            }
        )
    for town, name in TOWNS:
        rng = random.Random(f"site:{town}")
        if town not in with_hall:
            lng, lat = _point(rng, town, 0.004)
            rows.append(
                {
                    "site_code": f"{town.ljust(12, '0')}01",
                    "site_name": texts["town_name"].format(town=name),
                    "site_level": "镇",
                    "town": name,
                    "address": texts["town_address"].format(town=name),
                    "opening_hours": texts["town_hours"],
                    "phone": f"0753-55{rng.randint(10000, 99999)}",
                    "longitude": lng,
                    "latitude": lat,
                }
            )
        for village_code, village in VILLAGES.get(town, []):
            lng, lat = _point(rng, town, 0.03)
            rows.append(
                {
                    "site_code": f"{village_code}01",
                    "site_name": texts["village_name"].format(village=village),
                    "site_level": "村（社区）",
                    "town": name,
                    "address": texts["village_address"].format(town=name, village=village),
                    "opening_hours": texts["village_hours"],
                    "phone": f"0753-55{rng.randint(10000, 99999)}",
                    "longitude": lng,
                    "latitude": lat,
                }
            )
    return rows


# --- 电子证照发证量（按证照类型） ----------------------------------------------------------


def licence_stat_rows(today: dt.date, licences: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Issued per month from a fixed anchor month, so the valid total of a month is the
    same whichever month the demo is loaded in."""
    window = months(today)
    anchor = min(dt.date.fromisoformat(_DATA["licence_anchor"] + "-01"), window[0])
    shown = set(window)
    rows = []
    for spec in licences:
        type_code = DEPARTMENTS[spec["issuer"]]["uscc"] + spec["suffix"]
        total = spec["anchor_total"]
        month = anchor
        while month <= window[-1]:
            key = f"{month:%Y-%m}"
            rng = random.Random(f"licence:{type_code}:{key}")
            share = _share(month, today)
            issued = round(spec["monthly"] * SEASON[month.month] * rng.uniform(0.8, 1.2) * share)
            # Renewals and new holders slightly outnumber the licences that lapse or end.
            lapse = spec["monthly"] * (0.85 if spec["years"] else 0.15)
            total = max(0, total + issued - round(lapse * rng.uniform(0.8, 1.2) * share))
            if month in shown:
                rows.append(
                    {
                        "record_no": f"{month:%Y%m}{spec['suffix']}",
                        "stat_month": key,
                        "licence_type_code": type_code,
                        "licence_type": spec["name"],
                        "issuer": DEPARTMENTS[spec["issuer"]]["name"],
                        "issued_count": issued,
                        "valid_total": total,
                    }
                )
            month = (month + dt.timedelta(days=32)).replace(day=1)
    return rows


def datasets(today: dt.date, licences: list[dict[str, Any]]) -> dict[str, tuple[str, list]]:
    """key → (resource name, rows) of every open dataset."""
    return {
        "item_stats": (ITEM_STATS, item_rows(today)),
        "hotline": (HOTLINE, hotline_rows(today)),
        "sites": (SITES, site_rows()),
        "licence_stats": (LICENCE_STATS, licence_stat_rows(today, licences)),
    }
