"""Keeping the Chinese search index (``yiwang.search.api``) in step with published items.

Called from ``transaction.on_commit`` in the actions, so a rolled-back change never
reaches the index. Only published items are indexed (kind ``"item"``, key = item id).
``reindex_documents`` is registered with ``yiwang.search.registry`` so that
``manage.py search_reindex item`` rebuilds the catalogue's part of the index.
"""

from __future__ import annotations

import importlib
import logging

from django.urls import reverse

from .models import ItemStatus, ServiceItem

logger = logging.getLogger(__name__)

KIND = "item"


def search_api():
    """The search API module, or None while it is not installed."""
    try:
        return importlib.import_module("yiwang.search.api")
    except ImportError:
        return None


def document_text(item) -> str:
    """What a citizen might search for besides the name and aliases."""
    materials = "、".join(m.name for m in item.materials.all())
    parts = [
        item.item_type.name,
        item.department.name,
        item.region.name,
        item.scope,
        item.conditions,
        materials,
        item.legal_basis,
    ]
    return "\n".join(p for p in parts if p)


def document(item) -> dict:
    """The keyword arguments of ``index_document`` for one published item."""
    return {
        "key": str(item.pk),
        "title": item.name,
        "text": document_text(item),
        "aliases": item.aliases,
        "url": reverse("catalog:detail", args=[item.pk]),
        "public": True,
    }


def reindex_documents():
    """Every published item, for ``yiwang.search.registry`` (full rebuild)."""
    qs = (
        ServiceItem.objects.published()
        .select_related("item_type", "department", "region")
        .prefetch_related("materials")
        .order_by("id")
    )
    for item in qs.iterator(chunk_size=500):
        yield document(item)


def index_item(item_id: int) -> None:
    """(Re-)index one item if it is published, or remove it otherwise."""
    api = search_api()
    if api is None:
        return
    item = (
        ServiceItem.objects.select_related("item_type", "department", "region")
        .prefetch_related("materials")
        .filter(pk=item_id)
        .first()
    )
    if item is None or item.status != ItemStatus.PUBLISHED:
        api.remove_document(KIND, str(item_id))
        return
    api.index_document(KIND, **document(item))


def remove_item(item_id: int) -> None:
    api = search_api()
    if api is not None:
        api.remove_document(KIND, str(item_id))


def search_item_ids(query: str, limit: int = 100) -> list[int] | None:
    """Ids of matching items, best first; None when the search API is not available."""
    api = search_api()
    if api is None:
        return None
    ids: list[int] = []
    for hit in api.search(query, kind=KIND, limit=limit):
        try:
            ids.append(int(hit.key))
        except (TypeError, ValueError):
            logger.warning("search hit with a non-numeric service item key: %r", hit.key)
    return ids
