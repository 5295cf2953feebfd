"""Keeping the Chinese search index (``yiwang.search.api``) in step with published items.

Called from ``transaction.on_commit`` in the actions, so a rolled-back change never
reaches the index. Only published items are indexed (kind ``"item"``, key = item id).
``reindex_documents`` is registered with ``yiwang.search.registry`` so that
``manage.py search_reindex item`` rebuilds the catalogue's part of the index.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable

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


def document_keywords(item) -> str:
    """What classifies the item: its type, department, region and main item."""
    parts = [item.item_type.name, item.department.name, item.region.name]
    if item.parent_id:
        parts.append(item.parent.name)
    return " ".join(p for p in parts if p)


def document_text(item) -> str:
    """The guide text a citizen might search for besides the name and aliases."""
    materials = "、".join(m.name for m in item.materials.all())
    parts = [item.scope, item.conditions, materials, item.legal_basis]
    return "\n".join(p for p in parts if p)


def document(item) -> dict:
    """The keyword arguments of ``index_document`` for one published item."""
    return {
        "key": str(item.pk),
        "title": item.name,
        "text": document_text(item),
        "aliases": item.aliases,
        "keywords": document_keywords(item),
        "url": reverse("catalog:detail", args=[item.pk]),
        "public": True,
    }


def _indexable():
    return ServiceItem.objects.select_related(
        "item_type", "department", "region", "parent"
    ).prefetch_related("materials")


def reindex_documents():
    """Every published item, for ``yiwang.search.registry`` (full rebuild)."""
    for item in _indexable().published().order_by("id").iterator(chunk_size=500):
        yield document(item)


def index_items(ids: Iterable[int]) -> int:
    """(Re-)index many items at once: the published ones are indexed in bulk, the others
    removed. Returns how many were indexed."""
    api = search_api()
    ids = list(dict.fromkeys(ids))
    if api is None or not ids:
        return 0
    indexed = 0
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        items = list(_indexable().filter(pk__in=batch))
        published = [i for i in items if i.status == ItemStatus.PUBLISHED]
        indexed += api.index_documents(KIND, [document(i) for i in published])
        api.remove_documents(KIND, sorted(set(batch) - {i.pk for i in published}))
    return indexed


def index_item(item_id: int) -> None:
    """(Re-)index one item if it is published, or remove it otherwise."""
    api = search_api()
    if api is None:
        return
    item = _indexable().filter(pk=item_id).first()
    if item is None or item.status != ItemStatus.PUBLISHED:
        api.remove_document(KIND, str(item_id))
        return
    api.index_document(KIND, **document(item))


def remove_item(item_id: int) -> None:
    api = search_api()
    if api is not None:
        api.remove_document(KIND, str(item_id))


def search_items(query: str, limit: int | None = None) -> list[tuple[int, str]] | None:
    """``(id, name)`` of matching items, best first (every match when ``limit`` is None);
    None when the search API is not available."""
    api = search_api()
    if api is None:
        return None
    found: list[tuple[int, str]] = []
    for hit in api.find(query, kind=KIND, limit=limit).hits:
        try:
            found.append((int(hit.key), hit.title))
        except (TypeError, ValueError):
            logger.warning("search hit with a non-numeric service item key: %r", hit.key)
    return found


def search_item_ids(query: str, limit: int | None = 100) -> list[int] | None:
    """Ids of matching items, best first; None when the search API is not available."""
    found = search_items(query, limit)
    return None if found is None else [pk for pk, _name in found]
