"""Demo service items of 大埔县 (事项目录 and 办事指南), loaded through ``catalog.actions``.

The items are data (``data/items.json``, its ``about`` describes the format); this module
fills in their defaults and turns them into the fields of ``catalog.actions.create_item``.
Loading is idempotent: an item whose code (type, numbers, department, handling kind)
already exists is left alone.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from yiwang.catalog import actions
from yiwang.catalog.models import ItemStatus, NodeLevel, ServiceItem
from yiwang.orgs.models import Department
from yiwang.regions.models import Region

from . import orgs as org_data
from .datafiles import read

_DATA = read("items")

ITEM_TYPES: list[tuple[str, str]] = [tuple(t) for t in _DATA["item_types"]]

#: 市场监管 cases belong to the town of the shop or company (its premises or domicile, as typed
#: in the form), else to the hall that registered them, so town-scoped staff see them.
PREMISES_FIELDS = ("premises", "domicile")


# --- from the data file to item specs ---------------------------------------------------


def _schema(fields: list) -> dict:
    """The JSON Schema of a form given as a list of fields (see the data file's ``about``)."""
    properties, required = {}, []
    for field in fields:
        if isinstance(field, str):
            key, prop, is_required = field, dict(_DATA["fields"][field]), True
        else:
            prop = dict(field)
            key, is_required = prop.pop("key"), prop.pop("required", True)
        properties[key] = prop
        if is_required:
            required.append(key)
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "x-order": list(properties),
    }


def _material(material: dict) -> dict:
    defaults = _DATA["material_defaults"]
    return {"name": material["name"], **{k: material.get(k, v) for k, v in defaults.items()}}


def _step(step: dict) -> dict:
    if "department" not in step:
        return dict(step)
    return {**step, "department": org_data.DEPARTMENTS[step["department"]]["uscc"]}


def _spec(item: dict) -> dict[str, Any]:
    spec = {**_DATA["defaults"], **item}
    spec["form"] = _schema(item["form"]) if "form" in item else {}
    spec["materials"] = [_material(m) for m in item["materials"]]
    if "process" in item:
        spec["process"] = [_step(s) for s in item["process"]]
    return spec


#: The items with their defaults filled in: ``form`` is a JSON Schema, ``materials`` complete,
#: process steps name their department by credit code.
ITEMS: list[dict[str, Any]] = [_spec(item) for item in _DATA["items"]]


# --- from an item spec to the catalogue's fields -------------------------------------------


def _procedure(spec: dict) -> list[dict]:
    if "procedure" in spec:
        return spec["procedure"]
    default = _DATA["default_procedure"]
    apply = default["apply"]
    return [
        {
            "name": apply["name"],
            "description": apply["online"] if spec["depth"] > 1 else apply["at_window"],
        },
        *(dict(s) for s in default["before_decision"]),
        dict(default["decision"][spec["type"]]),
        *(dict(s) for s in default["after_decision"]),
    ]


def _location(spec: dict) -> str:
    """Where to apply: the department's own hall (a town's 便民服务中心) or the county hall."""
    if "location" in spec:
        return spec["location"]
    if spec["dept"] in org_data.HALLS:
        return _DATA["location"]["own_hall"].format(**org_data.HALLS[spec["dept"]])
    return _DATA["location"]["county_hall"].format(**org_data.HALLS["county"])


def _case_region(spec: dict) -> tuple[str, str]:
    if "case_region_from" in spec:
        return spec["case_region_from"], spec.get("case_region_field", "")
    if spec["dept"] != "scj":
        return "item", ""
    fields = (spec.get("form") or {}).get("properties") or {}
    field = next((key for key in PREMISES_FIELDS if key in fields), "")
    return ("premises", field) if field else ("hall", "")


def _fields(spec: dict, departments: dict, regions: dict) -> dict:
    dept_spec = org_data.DEPARTMENTS[spec["dept"]]
    department = departments[dept_spec["uscc"]]
    competent = spec.get("competent")
    return {
        "name": spec["name"],
        "aliases": spec["aliases"],
        "item_type": spec["type"],
        "main_number": spec["main"],
        "sub_number": spec["sub"],
        "handling_kind": spec["kind"],
        "department": department,
        "competent_department": (
            departments[org_data.DEPARTMENTS[competent]["uscc"]] if competent else department
        ),
        "region": regions[dept_spec["region"]],
        "legal_basis": spec["legal_basis"],
        "audience": spec["audience"],
        "scope": spec["scope"],
        "conditions": spec["conditions"],
        "procedure": _procedure(spec),
        "statutory_limit": spec["statutory"],
        "promised_limit": spec["promised"],
        "fees": spec["fees"],
        "fee_basis": spec["fee_basis"],
        "online_depth": spec["depth"],
        "visits": spec["visits"],
        "consult_phone": dept_spec["phone"],
        "complaint_phone": _DATA["complaint_phone"],
        "location": _location(spec),
        "channels": spec["channels"],
        "county_wide": spec["county_wide"],
        "cross_region": spec["cross_region"],
        "form_schema": spec["form"],
        "downloads": spec["downloads"],
        **dict(zip(("case_region_from", "case_region_field"), _case_region(spec), strict=True)),
    }


def _code(spec: dict) -> tuple[str, str, str, str, str]:
    """What tells one handling item from another (the catalogue's unique code constraint)."""
    uscc = org_data.DEPARTMENTS[spec["dept"]]["uscc"]
    return (spec["type"], spec["main"], spec["sub"], uscc, spec["kind"])


# --- loading ------------------------------------------------------------------------------


def load_items(actor) -> int:
    """Create and publish the demo items that do not exist yet, in their themes (the item's
    ``themes`` codes, else the themes its keywords suggest); returns how many were created."""
    for code, name in ITEM_TYPES:
        actions.ensure_item_type(actor=actor, code=code, name=name)
    actions.ensure_standard_themes(actor=actor)
    departments = {d.uscc: d for d in Department.objects.select_related("region")}
    wanted_regions = {spec["region"] for spec in org_data.DEPARTMENTS.values()}
    regions = {r.code: r for r in Region.objects.filter(code__in=wanted_regions)}
    existing = set(
        ServiceItem.objects.filter(node_level=NodeLevel.HANDLING).values_list(
            "item_type__code", "main_number", "sub_number", "department__uscc", "handling_kind"
        )
    )
    created = 0
    for spec in ITEMS:
        if _code(spec) in existing:
            continue
        with transaction.atomic():
            item = actions.create_item(actor=actor, **_fields(spec, departments, regions))
            actions.set_materials(actor=actor, item=item, materials=spec["materials"])
            actions.set_process(
                actor=actor, item=item, steps=spec.get("process") or actions.default_process(item)
            )
            actions.publish_item(actor=actor, item=item)
            if spec.get("themes"):
                actions.set_item_display(actor=actor, item=item, themes=spec["themes"])
            else:
                actions.place_item(actor=actor, item=item)
        created += 1
    return created


def published_count() -> int:
    return ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).count()
