"""Checking a resource's metadata and items before anything is written.

Every problem is reported at once, keyed by field: metadata by its name (``"name"``,
``"legal_basis"``), items as the editor's formset names them (``"items-2-column"``), so the
page puts each message next to its input; item messages also name the item.

The grade rules (GB/T 43697-2024, the ``GradePolicy`` table):

1. an item's sharing type may be stricter than its resource's, never looser;
2. an item's sharing type may not be looser than its grade's policy allows;
3. a resource that is opened (无条件开放 or 有条件开放) may hold an item whose grade may not
   be opened only when that item is masked ``hidden`` (left out of every open release).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yiwang.orgs.models import Department
from yiwang.web.params import parse_int

from ..choices import (
    DataType,
    Grade,
    Mask,
    OpenType,
    ResourceFormat,
    SharingMethod,
    SharingType,
    UpdateCycle,
    looser_sharing,
    stricter_sharing,
)
from ..models import COLUMN_PATTERN, Classification, GradePolicy, Resource

MAX_ITEMS = 300
MAX_ITEM_LENGTH = 1_000_000
_COLUMN = re.compile(COLUMN_PATTERN)

#: The metadata a caller may set (``code``, ``status`` and ``version`` are the actions').
METADATA_FIELDS = (
    "name",
    "classification",
    "provider",
    "summary",
    "format",
    "sharing_type",
    "sharing_conditions",
    "sharing_method",
    "legal_basis",
    "open_type",
    "update_cycle",
    "release_date",
)
ITEM_FIELDS = (
    "name",
    "column",
    "data_type",
    "max_length",
    "grade",
    "mask",
    "sharing_type",
    "personal",
    "description",
)
_CHOICES = {
    "format": ResourceFormat,
    "sharing_type": SharingType,
    "sharing_method": SharingMethod,
    "open_type": OpenType,
    "update_cycle": UpdateCycle,
}
_LIMITS = {"name": 200, "summary": 2000, "sharing_conditions": 2000, "legal_basis": 2000}


@dataclass
class CleanItem:
    """One checked item: ``pk`` of the existing row it updates (None: a new one)."""

    pk: int | None
    values: dict[str, Any]


@dataclass
class Cleaned:
    metadata: dict[str, Any]
    items: list[CleanItem] | None
    key_column: str | None
    related: list[Resource] | None
    errors: dict[str, list[str]] = field(default_factory=dict)


def policies() -> dict[str, GradePolicy]:
    return {p.grade: p for p in GradePolicy.objects.all()}


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _add(errors: dict[str, list[str]], key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def _classification(value, errors) -> Classification | None:
    node: Classification | None
    if isinstance(value, Classification):
        node = value
    else:
        code = _text(value)
        node = Classification.objects.filter(code=code).first() if code.isdigit() else None
    if node is None:
        _add(errors, "classification", _("Choose a classification from the list."))
        return None
    if node.level < 2:
        _add(
            errors,
            "classification",
            _("Choose a classification item (项) or below, not the top class %(name)s.")
            % {"name": node.name},
        )
    return node


def _provider(value, errors) -> Department | None:
    if isinstance(value, Department):
        return value
    pk = parse_int(_text(value), minimum=1)
    found = Department.objects.select_related("region").filter(pk=pk).first() if pk else None
    if found is None:
        _add(errors, "provider", _("Choose the providing department from the list."))
    return found


def _release_date(value, errors) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(_text(value))
    except ValueError:
        _add(errors, "release_date", _("Enter the release date as YYYY-MM-DD."))
        return None


def clean_metadata(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, limit in _LIMITS.items():
        out[name] = _text(data.get(name))
        if len(out[name]) > limit:
            _add(
                errors,
                name,
                _("At most %(limit)d characters (this has %(n)d).")
                % {"limit": limit, "n": len(out[name])},
            )
    for name in ("name", "summary"):
        if not out[name]:
            _add(errors, name, _("This field is required."))
    for name, choices in _CHOICES.items():
        value = _text(data.get(name))
        if value not in choices.values:
            _add(errors, name, _("Choose one of the listed values."))
        out[name] = value
    if out["sharing_type"] in (SharingType.CONDITIONAL, SharingType.NONE):
        if not out["sharing_conditions"]:
            _add(
                errors,
                "sharing_conditions",
                _("State the conditions (or the reason for not sharing) of this sharing type."),
            )
        if not out["legal_basis"]:
            _add(
                errors,
                "legal_basis",
                _(
                    "Conditional sharing and not sharing need a legal basis: cite the law or "
                    "regulation and its article."
                ),
            )
    out["classification"] = _classification(data.get("classification"), errors)
    out["provider"] = _provider(data.get("provider"), errors)
    out["release_date"] = _release_date(data.get("release_date"), errors)
    return out


def _bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes")
    return bool(value)


def _clean_item(
    i: int,
    spec: dict[str, Any],
    resource_sharing: str,
    grade_policies: dict[str, GradePolicy],
    errors: dict[str, list[str]],
) -> dict[str, Any]:
    key = f"items-{i}-"
    name = _text(spec.get("name"))
    label = name or _("row %(n)d") % {"n": i + 1}
    item: dict[str, Any] = {"name": name, "description": _text(spec.get("description"))}
    if not name:
        _add(errors, key + "name", _("Row %(n)d: give the item a name.") % {"n": i + 1})
    elif len(name) > 100:
        _add(errors, key + "name", _("Item %(item)s: at most 100 characters.") % {"item": name})
    if len(item["description"]) > 500:
        _add(
            errors,
            key + "description",
            _("Item %(item)s: at most 500 characters.") % {"item": label},
        )
    column = _text(spec.get("column"))
    item["column"] = column
    if not _COLUMN.match(column):
        _add(
            errors,
            key + "column",
            _(
                "Item %(item)s: the column must be lower-case letters, digits and _ (at most "
                "63), starting with a letter, e.g. id_number."
            )
            % {"item": label},
        )
    data_type = _text(spec.get("data_type")) or DataType.STRING
    item["data_type"] = data_type
    if data_type not in DataType.values:
        _add(errors, key + "data_type", _("Item %(item)s: choose a data type.") % {"item": label})
    raw_length = spec.get("max_length")
    item["max_length"] = None
    if raw_length not in (None, ""):
        length = parse_int(_text(raw_length), minimum=1, maximum=MAX_ITEM_LENGTH)
        if length is None:
            _add(
                errors,
                key + "max_length",
                _("Item %(item)s: the maximum length is a whole number from 1 to %(max)d.")
                % {"item": label, "max": MAX_ITEM_LENGTH},
            )
        item["max_length"] = length
    grade = _text(spec.get("grade"))
    item["grade"] = grade
    policy = grade_policies.get(grade)
    if grade not in Grade.values or policy is None:
        _add(errors, key + "grade", _("Item %(item)s: choose a grade.") % {"item": label})
    mask = _text(spec.get("mask")) or (policy.default_mask if policy else Mask.NONE)
    item["mask"] = mask
    if mask not in Mask.values:
        _add(errors, key + "mask", _("Item %(item)s: choose a mask.") % {"item": label})
    sharing = _text(spec.get("sharing_type"))
    if not sharing and resource_sharing in SharingType.values:
        # By default an item shares as its resource does, or less when its grade demands it.
        sharing = resource_sharing
        if policy is not None:
            sharing = stricter_sharing(sharing, policy.loosest_sharing)
    item["sharing_type"] = sharing
    item["personal"] = _bool(spec.get("personal"))
    if sharing not in SharingType.values:
        _add(
            errors,
            key + "sharing_type",
            _("Item %(item)s: choose a sharing type.") % {"item": label},
        )
        return item
    if resource_sharing in SharingType.values and looser_sharing(sharing, resource_sharing):
        _add(
            errors,
            key + "sharing_type",
            _(
                "Item %(item)s: %(item_sharing)s is looser than the resource's %(sharing)s; an "
                "item may only be stricter than its resource."
            )
            % {
                "item": label,
                "item_sharing": SharingType(sharing).label,
                "sharing": SharingType(resource_sharing).label,
            },
        )
    if policy is not None and looser_sharing(sharing, policy.loosest_sharing):
        _add(
            errors,
            key + "sharing_type",
            _(
                "Item %(item)s is graded %(grade)s, which allows at most %(allowed)s, not "
                "%(item_sharing)s."
            )
            % {
                "item": label,
                "grade": Grade(grade).label,
                "allowed": SharingType(policy.loosest_sharing).label,
                "item_sharing": SharingType(sharing).label,
            },
        )
    return item


def clean_items(
    specs: list[dict[str, Any]],
    *,
    metadata: dict[str, Any],
    existing_ids: set[int],
    errors: dict[str, list[str]],
) -> list[CleanItem]:
    if len(specs) > MAX_ITEMS:
        _add(errors, "items", _("At most %(n)d items per resource.") % {"n": MAX_ITEMS})
        return []
    grade_policies = policies()
    resource_sharing = metadata.get("sharing_type") or ""
    open_type = metadata.get("open_type") or ""
    out: list[CleanItem] = []
    names: set[str] = set()
    columns: set[str] = set()
    for i, spec in enumerate(specs):
        values = _clean_item(i, spec, resource_sharing, grade_policies, errors)
        pk = (
            parse_int(_text(spec.get("id")), minimum=1)
            if spec.get("id") not in (None, "")
            else None
        )
        if spec.get("id") not in (None, "") and pk not in existing_ids:
            _add(
                errors,
                f"items-{i}-name",
                _("Row %(n)d is not an item of this resource.") % {"n": i + 1},
            )
        if values["name"] and values["name"] in names:
            _add(
                errors,
                f"items-{i}-name",
                _("Item %(item)s appears twice: item names are unique within a resource.")
                % {"item": values["name"]},
            )
        if values["column"] and values["column"] in columns:
            _add(
                errors,
                f"items-{i}-column",
                _("Column %(column)s is used twice: columns are unique within a resource.")
                % {"column": values["column"]},
            )
        names.add(values["name"])
        columns.add(values["column"])
        policy = grade_policies.get(values["grade"])
        if (
            open_type in (OpenType.OPEN, OpenType.CONDITIONAL)
            and policy is not None
            and not policy.may_open
            and values["mask"] != Mask.HIDDEN
        ):
            _add(
                errors,
                f"items-{i}-mask",
                _(
                    "Item %(item)s is graded %(grade)s, which may not be opened: mask it as "
                    "hidden, or make the resource not open."
                )
                % {"item": values["name"] or i + 1, "grade": Grade(values["grade"]).label},
            )
        out.append(CleanItem(pk=pk, values={**values, "order": i + 1}))
    return out


def clean_related(values, resource: Resource | None, errors) -> list[Resource]:
    found: list[Resource] = []
    codes = []
    for value in values or ():
        if isinstance(value, Resource):
            found.append(value)
        else:
            codes.append(_text(value))
    if codes:
        by_code = Resource.objects.in_bulk([c for c in codes if c], field_name="code")
        missing = [c for c in codes if c not in by_code]
        if missing:
            _add(
                errors,
                "related",
                _("No resource has the code %(codes)s.") % {"codes": "、".join(missing[:5])},
            )
        found.extend(by_code[c] for c in codes if c in by_code)
    if resource is not None and any(r.pk == resource.pk for r in found):
        _add(errors, "related", _("A resource cannot be related to itself."))
    return list({r.pk: r for r in found}.values())


def check_key_column(key_column: str | None, items: list[CleanItem], errors) -> None:
    if key_column and key_column not in {i.values["column"] for i in items}:
        _add(
            errors,
            "key_item",
            _("The key item must be one of the resource's items (column %(column)s is not).")
            % {"column": key_column},
        )


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)
