"""What a grant delivers: the deliverable columns, the rows from the hub, masked.

The item definitions come from the resource's *published* version (``snapshot["items"]``),
which never changes once written, so they are kept per version id in the process. A granted
column is delivered while the current version still has it and still shares it (not
``不予共享``, not hidden); a provider narrowing an item therefore takes effect at once.

Rows are read through the hub's read interface (``yiwang.datahub.hub.read``: plain,
decrypted values of the asked columns) and masked here with the item's mask
(``datahub.masking.mask_value``), the same masks the pages use.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from yiwang.accounts.models import normalise_resident_id
from yiwang.datahub.choices import Mask, SharingType
from yiwang.datahub.hub import read as hub
from yiwang.datahub.masking import mask_value
from yiwang.datahub.models import Resource, ResourceVersion
from yiwang.gmcrypto.core import blind_index

#: The blind-index purpose of resident ID numbers, as the kernel writes it for accounts
#: (``User.id_number_index``) and reveals (``privacy.Disclosure.subject_id_index``).
ID_INDEX_PURPOSE = "id"


@dataclass(frozen=True)
class Item:
    column: str
    name: str
    mask: str
    deliverable: bool
    #: Holds a person's resident ID number: the row's subject for the evidence log.
    subject: bool


@dataclass(frozen=True)
class Items:
    #: The resource's name as published.
    name: str
    by_column: dict[str, Item]
    order: list[str]
    key_column: str | None

    def granted(self, fields: list[str]) -> list[str]:
        """The grant's columns still delivered, in item order."""
        wanted = set(fields)
        return [c for c in self.order if c in wanted and self.by_column[c].deliverable]

    def subject_columns(self) -> list[str]:
        return [c for c in self.order if self.by_column[c].subject]

    def names(self, columns: list[str]) -> list[str]:
        return [self.by_column[c].name if c in self.by_column else c for c in columns]


_cache: dict[int, Items] = {}
_lock = threading.Lock()


def _items_of(snapshot: dict) -> Items:
    by_column: dict[str, Item] = {}
    order: list[str] = []
    for raw in snapshot.get("items", []):
        mask = raw.get("mask") or Mask.NONE
        by_column[raw["column"]] = Item(
            column=raw["column"],
            name=raw["name"],
            mask=mask,
            deliverable=raw.get("sharing_type") != SharingType.NONE and mask != Mask.HIDDEN,
            subject=bool(raw.get("personal")) and mask == Mask.ID_NUMBER,
        )
        order.append(raw["column"])
    return Items(
        name=str(snapshot.get("name", "")),
        by_column=by_column,
        order=order,
        key_column=snapshot.get("key_item"),
    )


def items_for(version_id: int) -> Items:
    """The items of a published version (read once per process; versions never change)."""
    found = _cache.get(version_id)
    if found is None:
        snapshot = ResourceVersion.objects.values_list("snapshot", flat=True).get(pk=version_id)
        found = _items_of(snapshot)
        with _lock:
            _cache[version_id] = found
    return found


def forget_versions() -> None:
    """Drop the items read so far (a test database reuses version ids)."""
    with _lock:
        _cache.clear()


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def masked(row: dict, columns: list[str], items: Items) -> dict:
    """The delivered columns of ``row``, each masked by its item's mask."""
    return {c: _json_value(mask_value(row.get(c), items.by_column[c].mask)) for c in columns}


def subjects_of(rows: list[dict], items: Items) -> set[str]:
    """Blind indexes of the ID numbers in ``rows`` (whether delivered or not: the person's
    row was read either way)."""
    out: set[str] = set()
    for column in items.subject_columns():
        for row in rows:
            value = row.get(column)
            if value:
                number = normalise_resident_id(str(value))
                if number:
                    out.add(blind_index(number, ID_INDEX_PURPOSE))
    return out


def lookup(resource: Resource, key: str, columns: list[str]) -> dict | None:
    # The gateway fetched the hub table with the credential (None: no rows loaded yet).
    table = getattr(resource, "hub_table", None)
    return hub.lookup(resource, key, columns, table=table)


def page(
    resource: Resource,
    *,
    filters: dict[str, str],
    columns: list[str],
    after: int | None,
    limit: int,
) -> tuple[list[dict], int | None]:
    return hub.page(resource, filters=filters, columns=columns, after=after, limit=limit)
