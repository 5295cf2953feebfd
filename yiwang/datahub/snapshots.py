"""The published form of a resource: every metadata field and the items as one JSON dict.

``publish`` stores it in ``ResourceVersion.snapshot``; pages and the API render a working
copy through the same shape, so one template shows either.
"""

from __future__ import annotations

from .models import Classification, DataItem, Resource


def item_snapshot(item: DataItem) -> dict:
    return {
        "order": item.order,
        "name": item.name,
        "column": item.column,
        "data_type": item.data_type,
        "max_length": item.max_length,
        "grade": item.grade,
        "mask": item.mask,
        "sharing_type": item.sharing_type,
        "personal": item.personal,
        "description": item.description,
    }


def snapshot(resource: Resource, version: int) -> dict:
    """Every metadata field and the items, as published in ``version``."""
    classification = resource.classification
    kind = Classification.objects.filter(code=classification.kind_code).first()
    items = sorted(resource.items.all(), key=lambda i: (i.order, i.pk))  # prefetch-friendly
    key = next((i.column for i in items if i.pk == resource.key_item_id), None)
    provider = resource.provider
    return {
        "code": resource.code,
        "version": version,
        "name": resource.name,
        "kind": {"code": kind.code, "name": kind.name} if kind else None,
        "classification": {"code": classification.code, "name": classification.name},
        "provider": {
            "id": provider.pk,
            "name": provider.name,
            "short_name": provider.short_name,
            "uscc": provider.uscc,
        },
        "summary": resource.summary,
        "format": resource.format,
        "sharing_type": resource.sharing_type,
        "sharing_conditions": resource.sharing_conditions,
        "sharing_method": resource.sharing_method,
        "legal_basis": resource.legal_basis,
        "open_type": resource.open_type,
        "update_cycle": resource.update_cycle,
        "release_date": resource.release_date.isoformat() if resource.release_date else None,
        "related": sorted(r.code for r in resource.related.all()),
        "key_item": key,
        "items": [item_snapshot(i) for i in items],
    }
