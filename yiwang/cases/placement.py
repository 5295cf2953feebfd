"""Which region a case is filed under: where the matter is, as the item says.

The region decides which town-scoped staff see and handle the case (``orgs.scope``): a shop's
licence registered at the 湖寮 hall, for premises in 湖寮镇, belongs to 湖寮镇 even though the
licensing department is the county's. Each item chooses the source
(``ServiceItem.case_region_from``, :class:`~yiwang.catalog.models.CaseRegionSource`):

- ``item``: the item's implementing region (the default, and the old behaviour);
- ``applicant``: the enterprise's registered region, when applying for one;
- ``premises``: the town named in the form field ``case_region_field`` (an enum of town names
  or an address containing one);
- ``hall``: the region of the hall that registered the application.

A source that tells nothing (an online case has no hall, an address names no town) falls back
to the premises field, then the hall, then the item's region. The result always lies within
the item's implementing region, so the item's department and its county staff keep the case.
"""

from __future__ import annotations

from yiwang.catalog.models import CaseRegionSource, ServiceItem
from yiwang.regions.models import Level, Region

#: Suffixes left out when an address names a town without them ("湖寮同仁路" → 湖寮镇).
TOWN_SUFFIXES = ("街道", "镇", "乡")


def town_named(root: Region, value) -> Region | None:
    """The town (below ``root``) a value names: its division code, its full name, or its name
    without the 镇/乡/街道 suffix; the longest match wins, and two towns matching equally
    well name none."""
    text = str(value or "").strip()
    if not text:
        return None
    towns = list(
        Region.objects.subtree(root)
        .filter(level__gt=root.level, level__lte=Level.TOWN, retired=False)
        .only("pk", "code", "name", "path", "level", "parent_id")
    )
    for town in towns:
        if text == town.code:
            return town
    best: list[tuple[int, Region]] = []
    for town in towns:
        names = {town.name}
        for suffix in TOWN_SUFFIXES:
            stem = town.name.removesuffix(suffix)
            if stem != town.name and len(stem) >= 2:
                names.add(stem)
        length = max((len(name) for name in names if name in text), default=0)
        if length:
            best.append((length, town))
    if not best:
        return None
    best.sort(key=lambda pair: -pair[0])
    if len(best) > 1 and best[0][0] == best[1][0]:
        return None
    return best[0][1]


def _candidate(source: str, item: ServiceItem, form_values: dict, hall, enterprise):
    if source == CaseRegionSource.APPLICANT:
        return enterprise.region if enterprise is not None and enterprise.region_id else None
    if source == CaseRegionSource.PREMISES:
        if not item.case_region_field:
            return None
        return town_named(item.region, form_values.get(item.case_region_field))
    if source == CaseRegionSource.HALL:
        return hall.region if hall is not None else None
    return None


def case_region(
    item: ServiceItem, *, form_values: dict | None = None, hall=None, enterprise=None
) -> Region:
    """The region a new case of ``item`` is filed under (see the module docstring)."""
    root = item.region
    if item.case_region_from == CaseRegionSource.ITEM:
        return root
    order = [item.case_region_from, CaseRegionSource.PREMISES, CaseRegionSource.HALL]
    for source in dict.fromkeys(order):
        region = _candidate(source, item, form_values or {}, hall, enterprise)
        if region is not None and root.contains(region):
            return region
    return root
