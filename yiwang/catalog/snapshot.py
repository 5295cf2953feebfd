"""JSON-safe views of items used by revisions (ItemRevision.snapshot), audit entries and Excel."""

from __future__ import annotations

from .models import ServiceItem
from .validation import FK_FIELDS, ITEM_FIELDS

# The editable fields that are plain values (the others are foreign keys, kept as codes).
SCALAR_FIELDS = tuple(f for f in ITEM_FIELDS if f not in FK_FIELDS)
MATERIAL_FIELDS = (
    "name",
    "form",
    "count",
    "required",
    "source",
    "replaceable_by",
    "replaced_by",
    "notes",
)


def field_value(item: ServiceItem, field: str):
    """One editable field as JSON-safe data (foreign keys as their natural codes)."""
    if field == "item_type":
        return item.item_type.code if item.item_type_id else None
    if field in ("department", "competent_department"):
        dept = getattr(item, field) if getattr(item, f"{field}_id") else None
        return dept.uscc if dept else None
    if field == "region":
        return item.region.code if item.region_id else None
    if field == "parent":
        return item.parent_id
    return getattr(item, field)


def material_dict(material) -> dict:
    return {f: getattr(material, f) for f in MATERIAL_FIELDS}


def item_snapshot(item: ServiceItem, *, materials=None, process=None) -> dict:
    """Everything a guide shows, as published: fields, codes, materials and process."""
    data = {f: field_value(item, f) for f in SCALAR_FIELDS}
    data.update(
        id=item.pk,
        basic_code=item.basic_code,
        implementation_code=item.implementation_code,
        item_type={"code": item.item_type.code, "name": item.item_type.name},
        competent_department={
            "uscc": item.competent_department.uscc,
            "name": item.competent_department.name,
        },
        department={"uscc": item.department.uscc, "name": item.department.name},
        region={"code": item.region.code, "name": item.region.name},
        parent=item.parent_id,
        version=item.version,
    )
    if materials is None:
        materials = list(item.materials.all())
    data["materials"] = [material_dict(m) for m in materials]
    if process is None:
        process = item.active_process()
    data["process"] = (
        {"version": process.version, "steps": process.steps} if process is not None else None
    )
    return data
