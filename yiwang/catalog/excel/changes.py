"""What an import changes, worked out before anything is written.

Every item row becomes an :class:`ItemChange`: created, updated (with the keys of the changed
fields, ``materials`` and ``process``) or unchanged, and whether the import publishes or
withdraws it. The comparison is the one the actions make (``update_item``'s changed fields,
``set_materials``' list, ``set_process``' steps), so a dry run reports what the import would
do, and the import writes only the items that change. The current materials and processes of
the matched items are read in two queries, not per item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..models import ItemStatus, Material, ProcessDefinition, ServiceItem
from ..process import normalize_steps
from ..snapshot import MATERIAL_FIELDS, material_dict
from ..validation import FK_FIELDS, ITEM_FIELDS

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
PUBLISH, WITHDRAW = "published", "withdrawn"
MATERIALS, PROCESS = "materials", "process"
NEW_PARENT = -1  # the parent is an item created by the same import
_CHUNK = 500


@dataclass
class ItemChange:
    row: int
    code: str
    name: str
    action: str  # CREATED, UPDATED or UNCHANGED
    fields: list[str] = field(default_factory=list)  # item field keys, MATERIALS, PROCESS
    status: str = ""  # PUBLISH, WITHDRAW or ""

    @property
    def writes(self) -> bool:
        """Whether the import has anything to write for this row."""
        return self.action != UNCHANGED or bool(self.status)

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "code": self.code,
            "name": self.name,
            "action": self.action,
            "fields": list(self.fields),
            "status": self.status,
        }


@dataclass
class Current:
    """The current (not retired) materials and active process steps of existing items."""

    materials: dict[int, list[dict]]
    steps: dict[int, list[dict]]

    @classmethod
    def load(cls, item_ids: Iterable[int]) -> Current:
        ids = sorted(set(item_ids))
        materials: dict[int, list[dict]] = defaultdict(list)
        steps: dict[int, list[dict]] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            for material in Material.objects.filter(item_id__in=chunk).order_by(
                "item_id", "position", "id"
            ):
                materials[material.item_id].append(material_dict(material))
            processes = ProcessDefinition.objects.filter(item_id__in=chunk, active=True)
            for item_id, process_steps in processes.order_by("item_id", "-version").values_list(
                "item_id", "steps"
            ):
                steps.setdefault(item_id, process_steps)
        return cls(materials=dict(materials), steps=steps)


def _differs(instance: ServiceItem, key: str, value: Any) -> bool:
    if key in FK_FIELDS:  # compare keys: no query for a relation that is not loaded
        return getattr(value, "pk", value) != getattr(instance, f"{key}_id")
    return value != getattr(instance, key)


def changed_fields(instance: ServiceItem, data: dict[str, Any], parent: int | None) -> list[str]:
    """The item fields ``update_item`` would change, in ``ITEM_FIELDS`` order. ``parent`` is
    the intended parent's id, ``NEW_PARENT`` or None."""
    changed = [
        key
        for key in ITEM_FIELDS
        if key != "parent" and key in data and _differs(instance, key, data[key])
    ]
    if parent != instance.parent_id:
        changed.insert(0, "parent")
    return changed


def item_change(
    *,
    row: int,
    code: str,
    instance: ServiceItem | None,
    data: dict[str, Any],
    parent: int | None,
    materials: list[dict],
    steps: list[dict] | None,
    status: str,
    current: Current,
) -> ItemChange:
    """What importing one row does (``materials`` cleaned, ``steps`` valid or None)."""
    name = str(data.get("name") or (instance.name if instance else ""))
    if instance is None:
        return ItemChange(
            row, code, name, CREATED, status=PUBLISH if status == ItemStatus.PUBLISHED else ""
        )
    fields = changed_fields(instance, data, parent)
    wanted = [{key: entry[key] for key in MATERIAL_FIELDS} for entry in materials]
    if wanted != current.materials.get(instance.pk, []):
        fields.append(MATERIALS)
    active = current.steps.get(instance.pk)
    if steps is not None:
        if normalize_steps(steps) != active:
            fields.append(PROCESS)
    elif active is None and status == ItemStatus.PUBLISHED:
        fields.append(PROCESS)  # the default process is set before publishing
    change = ItemChange(row, code, name, UPDATED if fields else UNCHANGED, fields)
    if status == ItemStatus.PUBLISHED and (
        instance.status != ItemStatus.PUBLISHED or instance.changed_since_publish or fields
    ):
        change.status = PUBLISH
    elif status == ItemStatus.WITHDRAWN and instance.status == ItemStatus.PUBLISHED:
        change.status = WITHDRAW
    return change
