from .models import ServiceItem


def featured_items(limit: int = 8):
    return list(ServiceItem.objects.published().select_related("department")[:limit])
