"""Keeping the shared Chinese search (``yiwang.search.api``) in step with the catalogue.

Kind ``"data_resource"``, key = resource code, url ``/data/r/<code>/``, ``public=False``
(staff only; the open-data portal will index open resources itself). What is indexed is the
*published* definition (the current ``ResourceVersion`` snapshot): title = name, aliases =
the item names (so 身份证号码 finds 人口基础信息), keywords = provider, classification and
code, text = summary. Drafts and withdrawn resources are not in the index.

Called from ``transaction.on_commit`` in the actions (publish, withdraw); sends
``signals.catalogue_changed`` afterwards (the open-data portal listens).
"""

from __future__ import annotations

from django.urls import reverse

from yiwang.search import api

from .models import Resource
from .signals import catalogue_changed

KIND = "data_resource"


def document(snapshot: dict) -> dict:
    code = snapshot["code"]
    classification = snapshot.get("classification") or {}
    provider = snapshot.get("provider") or {}
    return {
        "key": code,
        "title": snapshot["name"],
        "text": snapshot.get("summary", ""),
        "aliases": [item["name"] for item in snapshot.get("items", [])],
        "keywords": [
            provider.get("name", ""),
            provider.get("short_name", ""),
            classification.get("name", ""),
            code,
        ],
        "url": reverse("datahub:resource", args=[code]),
        "public": False,
    }


def reindex_documents():
    """Every resource in the catalogue, as published (for ``yiwang.search.registry``)."""
    qs = (
        Resource.objects.filter(current_version__isnull=False, withdrawn_at__isnull=True)
        .select_related("current_version")
        .order_by("id")
    )
    for resource in qs.iterator(chunk_size=500):
        if resource.current_version is not None:
            yield document(resource.current_version.snapshot)


def index_resource(resource_id: int) -> None:
    """(Re-)index one resource if it is in the catalogue, otherwise remove it."""
    resource = Resource.objects.select_related("current_version").filter(pk=resource_id).first()
    if resource is None:
        return
    if not resource.in_catalogue or resource.current_version is None:
        api.remove_document(KIND, resource.code)
    else:
        api.index_document(KIND, **document(resource.current_version.snapshot))
    catalogue_changed.send(sender=Resource, resource_id=resource_id)
