"""Grouped, sorted choices for pickers of regions (and the shared plumbing for grouped pickers).

One place for how a list of divisions is offered: the county (and anything above it) first,
then the towns in code order; when villages are in the list, each town becomes an
``<optgroup>`` holding the town itself and its villages in code order. The result is
Django's grouped-choices shape, ``[(value, label) | (group label, [(value, label), …])]``,
so a form field takes it as ``choices`` and a template draws it with
``{% grouped_options %}`` (web_tags).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from .models import Level, Region

Choice = tuple[Any, str]
#: Django's grouped choices: plain (value, label) pairs and (group label, [pairs]) groups.
Grouped = list[Choice | tuple[str, list[Choice]]]

#: Pickers longer than this get a filter box in the browser (site.js, data-filterable).
FILTER_FROM = 15


def name_key(name: str) -> tuple[str, str]:
    """Sort key for Chinese names: by pinyin (湖寮 before 民政), then by the characters."""
    return (" ".join(lazy_pinyin(name or "")), name or "")


def count_options(groups: Grouped) -> int:
    return sum(len(v) if isinstance(v, list) else 1 for _value, v in groups)


def set_grouped_choices(field, groups: Grouped, *, empty_label: str | None = None) -> None:
    """Give a (Model)ChoiceField these grouped choices, keeping its empty choice.

    Call it after the field's queryset is final (a later ``queryset =`` resets the choices).
    Validation still goes through the queryset; only the presentation changes.
    """
    empty = empty_label if empty_label is not None else getattr(field, "empty_label", None)
    multiple = getattr(field.widget, "allow_multiple_selected", False)
    field.choices = ([("", empty)] if empty is not None and not multiple else []) + list(groups)
    if count_options(groups) > FILTER_FROM:
        field.widget.attrs["data-filterable"] = ""


def grouped_regions(regions: Iterable[Region]) -> Grouped:
    """The county first, then towns by code; villages grouped under their town.

    Towns of listed villages that are not listed themselves are read in one query, for
    their group labels.
    """
    items = list(regions)
    upper = sorted((r for r in items if r.level <= Level.COUNTY), key=lambda r: r.code)
    towns = {r.pk: r for r in items if r.level == Level.TOWN}
    villages = [r for r in items if r.level >= Level.VILLAGE]
    out: Grouped = [(r.pk, r.name) for r in upper]
    if not villages:
        if towns:
            out.append(
                (_("Towns"), [(t.pk, t.name) for t in sorted(towns.values(), key=lambda r: r.code)])
            )
        return out
    missing = {
        v.parent_id for v in villages if v.parent_id is not None and v.parent_id not in towns
    }
    parents = {r.pk: r for r in Region.objects.filter(pk__in=missing)} if missing else {}
    by_town: dict[int | None, list[Region]] = {}
    for village in villages:
        by_town.setdefault(village.parent_id, []).append(village)
    group_towns = {**parents, **towns}
    for town in sorted(group_towns.values(), key=lambda r: r.code):
        options: list[Choice] = []
        if town.pk in towns:
            options.append((town.pk, _("%(town)s (whole town)") % {"town": town.name}))
        options += [(v.pk, v.name) for v in sorted(by_town.get(town.pk, []), key=lambda r: r.code)]
        out.append((town.name, options))
    orphans = by_town.get(None, [])
    if orphans:
        out.append((_("Other"), [(v.pk, v.name) for v in sorted(orphans, key=lambda r: r.code)]))
    return out


def use_grouped_regions(field, *, empty_label: str | None = None) -> None:
    """Group a region (Model)ChoiceField's choices; call after its queryset is final."""
    set_grouped_choices(field, grouped_regions(field.queryset), empty_label=empty_label)
