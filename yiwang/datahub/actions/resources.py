"""Registering and editing a resource with its items (the provider's working copy)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yiwang.audit.actions import record

from ..choices import ResourceStatus
from ..models import Resource
from ..permissions import can_manage_provider
from . import _validation as v
from ._common import (
    EDITABLE,
    allocate,
    deny_provider,
    lock,
    require_provider_admin,
    require_status,
    summary,
    write_items,
)


def _check(
    data: dict[str, Any],
    *,
    resource: Resource | None,
    items: list[dict] | None,
    key_item: str | None,
    related,
) -> v.Cleaned:
    errors: dict[str, list[str]] = {}
    metadata = v.clean_metadata(data, errors)
    existing = set(resource.items.values_list("pk", flat=True)) if resource else set()
    clean_items = (
        v.clean_items(items, metadata=metadata, existing_ids=existing, errors=errors)
        if items is not None
        else None
    )
    if clean_items is not None:
        v.check_key_column(key_item, clean_items, errors)
    clean_related = v.clean_related(related, resource, errors) if related is not None else None
    return v.Cleaned(metadata, clean_items, key_item, clean_related, errors)


def _set_key(resource: Resource, by_column: dict, key_item: str | None) -> None:
    resource.key_item = by_column.get(key_item) if key_item else None


@transaction.atomic
def create_resource(
    *,
    actor,
    items: list[dict] | None = None,
    key_item: str | None = None,
    related=None,
    **fields: Any,
) -> Resource:
    """A new draft resource with its items; the code is allocated here (classification code
    + the classification's next three-digit sequence number).

    ``fields``: the metadata (``v.METADATA_FIELDS``); ``items``: dicts of ``v.ITEM_FIELDS``
    in order; ``key_item``: the column of the item that identifies a row; ``related``:
    resources or their codes.
    """
    unknown = set(fields) - set(v.METADATA_FIELDS)
    if unknown:
        raise TypeError(f"create_resource() got unexpected fields {sorted(unknown)}")
    cleaned = _check(fields, resource=None, items=items or [], key_item=key_item, related=related)
    v.raise_if(cleaned.errors)
    metadata = cleaned.metadata
    if not can_manage_provider(actor, metadata["provider"]):
        raise deny_provider(metadata["provider"])
    sequence, code = allocate(metadata["classification"])
    resource = Resource.objects.create(
        code=code,
        sequence=sequence,
        status=ResourceStatus.DRAFT,
        created_by=actor if getattr(actor, "pk", None) else None,
        **metadata,
    )
    by_column = write_items(resource, cleaned.items or [])
    _set_key(resource, by_column, key_item)
    resource.save(update_fields=["key_item"])
    if cleaned.related:
        resource.related.set(cleaned.related)
    record(actor=actor, action="datahub.create", obj=resource, after=summary(resource))
    return resource


@transaction.atomic
def update_resource(
    *,
    actor,
    resource: Resource,
    items: list[dict] | None = None,
    key_item: str | None = None,
    related=None,
    **changes: Any,
) -> Resource:
    """Change a draft or returned resource: any metadata in ``changes``; with ``items`` the
    whole items table (rows with an ``id`` update that item, rows without one are new, items
    left out are deleted, the list order is the order); ``key_item`` (a column; ``""`` clears it).

    The classification (and so the code) may change only before the first publication.
    """
    unknown = set(changes) - set(v.METADATA_FIELDS)
    if unknown:
        raise TypeError(f"update_resource() got unexpected fields {sorted(unknown)}")
    lock(resource)
    require_provider_admin(actor, resource)
    require_status(resource, EDITABLE, pgettext("resource action", "edited"))
    data = {name: getattr(resource, name) for name in v.METADATA_FIELDS}
    data.update(changes)
    if key_item is None and items is not None and resource.key_item_id:
        # Not named: the key stays on the same column when that column is still there.
        key_item = resource.items.filter(pk=resource.key_item_id).values_list("column", flat=True)[
            0
        ]
        if key_item not in {str(i.get("column", "")).strip() for i in items}:
            key_item = None
    cleaned = _check(data, resource=resource, items=items, key_item=key_item, related=related)
    metadata = cleaned.metadata
    errors = cleaned.errors
    current = {i.column: i for i in resource.items.all()} if items is None else {}
    if items is None and key_item and key_item not in current:
        errors.setdefault("key_item", []).append(
            _("The key item must be one of the resource's items (column %(column)s is not).")
            % {"column": key_item}
        )
    if metadata["provider"] is not None and metadata["provider"].pk != resource.provider_id:
        errors.setdefault("provider", []).append(
            _("The provider of a registered resource cannot change: register a new resource.")
        )
    new_class = metadata["classification"]
    if new_class is not None and new_class.pk != resource.classification_id and resource.version:
        errors.setdefault("classification", []).append(
            _(
                "Resource %(code)s has been published under its code: its classification "
                "cannot change."
            )
            % {"code": resource.code}
        )
    v.raise_if(errors)
    before = summary(resource)
    if new_class.pk != resource.classification_id:
        resource.sequence, resource.code = allocate(new_class)
    for name, value in metadata.items():
        setattr(resource, name, value)
    if cleaned.items is not None:
        by_column = write_items(resource, cleaned.items)
        _set_key(resource, by_column, key_item)
    elif key_item:
        resource.key_item = current[key_item]
    resource.save()
    if cleaned.related is not None:
        resource.related.set(cleaned.related)
    record(
        actor=actor,
        action="datahub.update",
        obj=resource,
        before=before,
        after=summary(resource),
        items=None if cleaned.items is None else len(cleaned.items),
    )
    return resource
