"""The open catalogue in the shared Chinese search (``yiwang.search.api``).

Kind ``"open_dataset"``, key = resource code, url = the public dataset page, ``public=True``:
title = name, aliases = the names of the items that are not hidden, keywords = provider,
classification, its top class and the code, text = summary. Rebuilt by ``search_reindex``
(registered in ``OpendataConfig.ready``); kept in step by ``datahub.signals.catalogue_changed``
(sent after datahub indexes a published or withdrawn resource).
"""

from __future__ import annotations

from yiwang.search import api

from . import catalogue
from .catalogue import Dataset

KIND = "open_dataset"


def document(ds: Dataset) -> dict:
    return {
        "key": ds.code,
        "title": ds.title,
        "text": ds.notes,
        "aliases": [item.name for item in ds.items],
        "keywords": [
            ds.organization.title,
            ds.organization.short_name,
            ds.classification_name,
            ds.kind_name,
            ds.code,
        ],
        "url": ds.page_path,
        "public": True,
    }


def reindex_documents():
    """Every open dataset (for ``yiwang.search.registry``)."""
    qs = catalogue.open_resources().order_by("id")
    for resource in qs.iterator(chunk_size=500):
        yield document(catalogue.dataset(resource))


def index_resource(resource_id: int) -> None:
    """(Re-)index one resource if it is open, otherwise remove it."""
    resource = catalogue.open_resources().filter(pk=resource_id).first()
    if resource is None:
        code = catalogue.resource_code(resource_id)
        if code:
            api.remove_document(KIND, code)
        return
    api.index_document(KIND, **document(catalogue.dataset(resource)))


def on_catalogue_changed(sender, resource_id: int, **kwargs) -> None:
    index_resource(resource_id)
