from collections.abc import Sequence

from .models import ServiceItem


def featured_items(limit: int = 8, *, ranked_ids: Sequence[int] = ()) -> list[ServiceItem]:
    """Published items for the home page: those of ``ranked_ids`` first, in that order (the
    most used, ranked by the caller), then the rest in catalogue order up to ``limit``."""
    published = ServiceItem.objects.published().select_related("department")
    found = {item.pk: item for item in published.filter(pk__in=list(ranked_ids))}
    items = [found[pk] for pk in ranked_ids if pk in found][:limit]
    if len(items) < limit:
        items += list(published.exclude(pk__in=[i.pk for i in items])[: limit - len(items)])
    return items
