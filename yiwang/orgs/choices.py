"""Grouped, sorted choices for department pickers (transfer, dispatch, co-handlers, settings).

County departments first, sorted by name (pinyin order), then one group per town in code
order with the departments of that town and its villages. Shape and helpers as in
``yiwang.regions.choices``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from yiwang.regions.choices import Choice, Grouped, name_key, set_grouped_choices
from yiwang.regions.models import Level, Region

from .models import Department


def grouped_departments(departments: Iterable[Department]) -> Grouped:
    """Two queries at most: the departments with their regions, and the towns of village ones."""
    if isinstance(departments, QuerySet):
        departments = departments.select_related("region")
    items = list(departments)
    county: list[Department] = []
    by_town: dict[int, list[Department]] = {}
    village_parents: set[int] = set()
    for dept in items:
        region = dept.region
        if region.level <= Level.COUNTY:
            county.append(dept)
        elif region.level == Level.TOWN:
            by_town.setdefault(region.pk, []).append(dept)
        else:
            village_parents.add(region.parent_id)
    towns = {r.pk: r for r in Region.objects.filter(pk__in=set(by_town) | village_parents)}
    for dept in items:
        if dept.region.level > Level.TOWN:
            by_town.setdefault(dept.region.parent_id, []).append(dept)
    out: Grouped = []
    if county:
        out.append((_("County departments"), _sorted(county)))
    for town in sorted((towns[pk] for pk in by_town if pk in towns), key=lambda r: r.code):
        out.append((town.name, _sorted(by_town[town.pk])))
    # Never drop a department: one whose place is not under a town still gets offered.
    other = [d for pk, depts in by_town.items() if pk not in towns for d in depts]
    if other:
        out.append((_("Other"), _sorted(other)))
    return out


def _sorted(departments: list[Department]) -> list[Choice]:
    return [(d.pk, d.name) for d in sorted(departments, key=lambda d: name_key(d.name))]


def use_grouped_departments(field, *, empty_label: str | None = None) -> None:
    """Group a department (Model)ChoiceField's choices; call after its queryset is final."""
    set_grouped_choices(field, grouped_departments(field.queryset), empty_label=empty_label)
