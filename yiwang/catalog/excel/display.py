"""The workbook's 主题 and 默认展示 columns: checked with the rows, compared with the catalogue,
written through ``actions.set_item_display`` after each item.

- 主题 names themes separated by 、; every name must be a theme's name. An empty cell leaves an
  existing item's themes as they are; a new item gets the themes its keywords suggest.
- 默认展示 is 是 or 否 (shown first among items of the same name); empty leaves it as it is.

The importer calls :func:`check` with the other row checks, :func:`plan_changes` after
working out what each row changes (an item whose only change is its themes is written too,
and the report lists ``themes`` / ``preferred`` among its changed fields) and :func:`write`
after writing each item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Protocol

from django.utils.translation import gettext

from .. import actions
from ..models import ServiceItem, Theme
from .changes import UNCHANGED, UPDATED, ItemChange
from .columns import ITEM_HEADER, ITEMS_SHEET
from .reading import ItemRow, RowError

THEMES, PREFERRED = "themes", "preferred"


class _Plan(Protocol):
    """What the importer plans for one row (``importer._ItemPlan``)."""

    row: ItemRow
    instance: ServiceItem | None
    change: ItemChange | None


def check(plans: Iterable[_Plan], errors: list[RowError]) -> None:
    """Report unknown theme names; keep the themes found on each row (one query in all)."""
    plans = list(plans)
    candidates = list(Theme.objects.all()) if plans else []
    by_name = {t.name: t for t in candidates}
    for plan in plans:
        display = plan.row.display
        display["candidates"] = candidates  # for placing new items by keyword
        names = display.get(THEMES)
        if names is None:
            continue
        unknown = [n for n in names if n not in by_name]
        if unknown:
            message = gettext(
                "no theme is called %(names)s; write theme names separated by 、 as listed in "
                "the back office's themes."
            ) % {"names": "、".join(f"“{n}”" for n in unknown)}
            errors.append(RowError(ITEMS_SHEET, plan.row.number, ITEM_HEADER[THEMES], message))
            continue
        display["theme_objects"] = [by_name[n] for n in names]


def _current_themes(item_ids: list[int]) -> dict[int, set[int]]:
    Link = ServiceItem.themes.through
    current: dict[int, set[int]] = defaultdict(set)
    for start in range(0, len(item_ids), 500):
        rows = Link.objects.filter(serviceitem_id__in=item_ids[start : start + 500])
        for item_id, theme_id in rows.values_list("serviceitem_id", "theme_id"):
            current[item_id].add(theme_id)
    return current


def changed(plan: _Plan, current: set[int]) -> list[str]:
    """``themes`` / ``preferred`` when the row changes them on its existing item."""
    display, instance = plan.row.display, plan.instance
    if instance is None:
        return []
    keys = []
    themes = display.get("theme_objects")
    if themes is not None and {t.pk for t in themes} != current:
        keys.append(THEMES)
    preferred = display.get(PREFERRED)
    if preferred is not None and preferred != instance.preferred:
        keys.append(PREFERRED)
    return keys


def plan_changes(plans: Iterable[_Plan]) -> None:
    """Add the display changes to the rows' planned changes (current themes: one query per
    500 items)."""
    plans = [p for p in plans if p.change is not None]
    current = _current_themes(sorted(p.instance.pk for p in plans if p.instance is not None))
    for plan in plans:
        assert plan.change is not None
        keys = changed(plan, current.get(plan.instance.pk, set()) if plan.instance else set())
        if keys:
            plan.change.fields.extend(keys)
            if plan.change.action == UNCHANGED:
                plan.change.action = UPDATED


def write(plan: _Plan, item: ServiceItem, *, actor, created: bool) -> None:
    """Set the row's themes and 默认展示 on ``item`` (just written); a new item without
    themes in its row is placed by keyword."""
    display = plan.row.display
    themes = display.get("theme_objects")
    preferred = display.get(PREFERRED)
    values: dict[str, Any] = {}
    if themes is not None:
        values[THEMES] = themes
    if preferred is not None:
        values[PREFERRED] = preferred
    if values:
        actions.set_item_display(actor=actor, item=item, **values)
    if created and themes is None:
        actions.place_item(actor=actor, item=item, candidates=display.get("candidates"))
