"""The item's references: foreign keys given as instances or codes, its parent, its code."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from yiwang.orgs.models import Department
from yiwang.regions.models import Region

from ..models import HandlingKind, ItemType, NodeLevel, ServiceItem
from ._common import ItemCheck

FK_FIELDS = ("parent", "item_type", "competent_department", "department", "region")


def _item_type(value: Any) -> tuple[ItemType | None, str]:
    if isinstance(value, ItemType):
        return value, ""
    found = ItemType.objects.filter(code=str(value).strip().upper()).first()
    message = gettext(
        "There is no item type with the code “%(code)s”; use one of "
        "the type codes (e.g. XK 行政许可)."
    )
    return found, message % {"code": value}


def _department(value: Any) -> tuple[Department | None, str]:
    """By USCC (18 characters) or by primary key."""
    if isinstance(value, Department):
        return value, ""
    code = str(value).strip().upper()
    qs = Department.objects.select_related("region")
    found = None
    if len(code) == 18:
        found = qs.filter(uscc=code).first()
    elif code.isdigit():
        found = qs.filter(pk=int(code)).first()
    message = gettext("No department has the unified social credit code “%(code)s”.")
    return found, message % {"code": value}


def _region(value: Any) -> tuple[Region | None, str]:
    if isinstance(value, Region):
        return value, ""
    found = Region.objects.filter(code=str(value).strip()).first()
    message = gettext("There is no region with the division code “%(code)s”.")
    return found, message % {"code": value}


def _parent(value: Any) -> tuple[ServiceItem | None, str]:
    if isinstance(value, ServiceItem):
        return value, ""
    found = ServiceItem.objects.filter(pk=value).first() if str(value).isdigit() else None
    return found, gettext("The parent item %(id)s does not exist.") % {"id": value}


RESOLVERS = {
    "item_type": _item_type,
    "department": _department,
    "competent_department": _department,
    "region": _region,
    "parent": _parent,
}


def resolve_references(check: ItemCheck) -> None:
    """Replace codes and primary keys by instances; an unknown one is an error on its field."""
    for field in FK_FIELDS:
        if field not in check.data:
            continue
        value = check.data[field]
        if value in (None, ""):
            check.data[field] = None
            continue
        found, message = RESOLVERS[field](value)
        if found is None:
            check.add(field, message)
        check.data[field] = found


def check_parent(check: ItemCheck) -> None:
    """A parent is another item, a main item or a sub-item."""
    parent = check.final("parent")
    if parent is None:
        return
    if check.instance is not None and parent.pk == check.instance.pk:
        check.add("parent", gettext("An item cannot be its own parent."))
    elif parent.node_level == NodeLevel.HANDLING:
        check.add(
            "parent",
            gettext("The parent must be a main item or a sub-item, not a handling item."),
        )


def check_unique(check: ItemCheck) -> None:
    """No other item of the department has the same code fields."""
    item_type, department = check.final("item_type"), check.final("department")
    if item_type is None or department is None:
        return
    clash = ServiceItem.objects.filter(
        item_type=item_type,
        main_number=check.final("main_number"),
        sub_number=check.final("sub_number"),
        department=department,
        handling_kind=check.final("handling_kind") or HandlingKind.NEW,
        node_level=check.final("node_level") or NodeLevel.HANDLING,
    )
    if check.instance is not None:
        clash = clash.exclude(pk=check.instance.pk)
    other = clash.first()
    if other is not None:
        check.add(
            "main_number",
            gettext(
                "The item “%(name)s” of this department already has this code (%(code)s); change the "
                "main or sub-item number or the handling kind."
            )
            % {"name": other.name, "code": other.basic_code},
        )
