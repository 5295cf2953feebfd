"""Publishing many new items at once: a catalogue delivered by a province's item system.

Re-exported by ``catalog.actions``. ``publish_item`` takes one item through drafting and
publication with a query or two per step; a county importing its 1,000–1,500 items (or a
benchmark building 10,000) needs them in a few statements per thousand. The result is the
same as ``create_item`` + ``set_process(default_process)`` + ``publish_item``: published,
version 1, the default process, a revision snapshot, indexed for search on commit.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from yiwang.audit.actions import record

from . import indexing
from .models import ItemRevision, ItemStatus, ProcessDefinition, ServiceItem
from .permissions import is_catalog_authority
from .process import default_process
from .snapshot import item_snapshot

BATCH = 1000
# What publish_item requires of a guide (publication_problems), checked on every item.
REQUIRED = ("name", "legal_basis", "conditions", "consult_phone", "complaint_phone", "location")


def _problems(items: Sequence[ServiceItem]) -> list[str]:
    problems = []
    for number, item in enumerate(items, start=1):
        if item.pk is not None:
            problems.append(
                gettext("Item %(n)d (%(name)s) exists already.") % {"n": number, "name": item.name}
            )
            continue
        missing = [f for f in REQUIRED if not getattr(item, f)]
        if not item.channels:
            missing.append("channels")
        for relation in ("item_type", "department", "competent_department", "region"):
            if getattr(item, f"{relation}_id") is None:
                missing.append(relation)
        if missing:
            problems.append(
                gettext("Item %(n)d (%(name)s) lacks %(fields)s.")
                % {"n": number, "name": item.name or "?", "fields": ", ".join(missing)}
            )
    return problems


@transaction.atomic
def publish_new_items(*, actor, items: Sequence[ServiceItem], source: str) -> list[int]:
    """Create and publish ``items`` (unsaved, every field set); returns their ids.

    Data authority only (or the platform). Each item gets the default process of its
    promised limit, version 1 and its revision snapshot; no materials. One audit entry
    records the import (``source``, the count, the id range); the items are indexed for
    search when the transaction commits. The catalogue's unique code constraint applies:
    a clash rolls everything back.
    """
    if not is_catalog_authority(actor):
        raise PermissionDenied(gettext("Only the data authority can import published items."))
    if not (source or "").strip():
        raise ValidationError({"source": [gettext("Say where the items come from.")]})
    problems = _problems(items)
    if problems:
        raise ValidationError(problems[:20])
    now = timezone.now()
    ids: list[int] = []
    for start in range(0, len(items), BATCH):
        batch = list(items[start : start + BATCH])
        for item in batch:
            item.status, item.version, item.published_at = ItemStatus.PUBLISHED, 1, now
            item.changed_since_publish = False
        ServiceItem.objects.bulk_create(batch)
        processes = ProcessDefinition.objects.bulk_create(
            ProcessDefinition(item=item, version=1, steps=default_process(item), active=True)
            for item in batch
        )
        ItemRevision.objects.bulk_create(
            ItemRevision(
                item=item,
                version=1,
                snapshot=item_snapshot(item, materials=[], process=process),
                published_by=actor if getattr(actor, "pk", None) else None,
            )
            for item, process in zip(batch, processes, strict=True)
        )
        ids += [item.pk for item in batch]
    record(
        actor=actor,
        action="catalog.publish_new_items",
        after={
            "source": source.strip()[:200],
            "count": len(ids),
            "first_id": ids[0] if ids else None,
            "last_id": ids[-1] if ids else None,
        },
    )
    if ids:
        transaction.on_commit(lambda: indexing.index_items(ids))
    return ids
