from collections.abc import Sequence

from django.db.models import Count

from .models import ItemStatus, ServiceItem


def featured_items(limit: int = 8, *, ranked_ids: Sequence[int] = ()) -> list[ServiceItem]:
    """Published items for the home page: those of ``ranked_ids`` first, in that order (the
    most used, ranked by the caller), then the rest in catalogue order up to ``limit``."""
    published = ServiceItem.objects.published().select_related("department")
    found = {item.pk: item for item in published.filter(pk__in=list(ranked_ids))}
    items = [found[pk] for pk in ranked_ids if pk in found][:limit]
    if len(items) < limit:
        items += list(published.exclude(pk__in=[i.pk for i in items])[: limit - len(items)])
    return items


def mark_namesakes(items: Sequence[ServiceItem]) -> Sequence[ServiceItem]:
    """Set ``item.namesakes`` on each item: how many *other* published items have exactly its
    name (one query for the whole list). Lists show the department and level of items that
    have namesakes, so that citizens can tell them apart."""
    names = {item.name for item in items}
    counts: dict[str, int] = {}
    if names:
        rows = (
            ServiceItem.objects.published()
            .filter(name__in=names)
            .order_by()
            .values("name")
            .annotate(n=Count("pk"))
        )
        counts = {row["name"]: row["n"] for row in rows}
    for item in items:
        own = 1 if item.status == ItemStatus.PUBLISHED else 0
        item.namesakes = max(counts.get(item.name, 0) - own, 0)
    return items


def preferred_first(items: Sequence[ServiceItem]) -> list[ServiceItem]:
    """The items in the same order, except that among items of the same name the preferred
    ones (``ServiceItem.preferred``) take the places those items occupy first. Stable
    otherwise: a ranking keeps its positions, only namesakes swap."""
    slots: dict[str, list[int]] = {}
    for position, item in enumerate(items):
        slots.setdefault(item.name, []).append(position)
    result = list(items)
    for positions in slots.values():
        if len(positions) < 2:
            continue
        group = [items[p] for p in positions]
        ordered = sorted(group, key=lambda item: not item.preferred)  # stable
        for position, item in zip(positions, ordered, strict=True):
            result[position] = item
    return result
