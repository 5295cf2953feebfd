"""Shared data in casework: a base-registry record stands in for a material (免提交).

A material replaceable by shared data names its source as ``<resource code>.<column>``
(``Material.replaced_by``), e.g. ``101001.domicile`` for the 户籍地址 of 人口基础信息. When the
applicant applies, the published resource is looked up by the applicant's resident ID number
or USCC (the resource's key item); a record whose item holds a value satisfies the material,
and the form says so instead of asking for an upload. The value itself is not shown on the
form: the reviewer reads it through the resource, as any shared data. Each use is audited
(``datahub.case_use``) with the case, the resource and the item.

Registered from ``DatahubConfig.ready``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM
from yiwang.cases import material_sources
from yiwang.catalog.models import Material, Replaceable

from .hub import read
from .hub.values import BadValue
from .models import Resource, ResourceStatus


def _source(material: Material) -> tuple[Resource, str] | None:
    code, _dot, column = material.replaced_by.partition(".")
    if not column:
        return None
    resource = (
        Resource.objects.filter(code=code, status=ResourceStatus.PUBLISHED)
        .select_related("provider", "hub_table")
        .first()
    )
    return (resource, column) if resource is not None else None


def find(
    material: Material, applicant: material_sources.Applicant
) -> material_sources.Found | None:
    source = _source(material)
    if source is None:
        return None
    resource, column = source
    table = getattr(resource, "hub_table", None)
    if table is None:
        return None
    try:
        row = read.lookup(resource, applicant.code, [column], table=table)
    except (BadValue, read.UnknownColumn):
        return None
    if row is None or row.get(column) in (None, ""):
        return None
    return material_sources.Found(
        kind=Replaceable.SHARED,
        reference=material.replaced_by,
        label=_("%(resource)s, provided by %(provider)s")
        % {"resource": resource.name, "provider": resource.provider.name},
    )


def record_use(case, material: Material, found: material_sources.Found) -> None:
    source = _source(material)
    if source is None:
        return
    resource, column = source
    record(
        actor=SYSTEM,
        action="datahub.case_use",
        obj=resource,
        after={"case": case.number, "item": column, "department": case.department_id},
    )


def connect() -> None:
    material_sources.register(Replaceable.SHARED, find, record_use)
