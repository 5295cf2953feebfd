"""Public catalogue API: /api/v1/catalog/items and /api/v1/catalog/items/{id}.

Only published items. Lists use keyset pagination by id (``cursor`` = the last id seen,
``next_cursor`` in the answer) and a fixed number of queries whatever the page size.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from . import indexing
from .models import Material, OnlineDepth, ProcessDefinition, ServiceItem

router = Router(tags=["catalog"])

MAX_LIMIT = 100
SEARCH_LIMIT = 500


class NamedCode(Schema):
    code: str
    name: str


class DepartmentOut(Schema):
    uscc: str
    name: str


class ItemSummary(Schema):
    id: int
    name: str
    aliases: list[str]
    basic_code: str
    implementation_code: str
    item_type: NamedCode
    department: DepartmentOut
    region: NamedCode
    audience: str
    handling_kind: str
    statutory_limit: int = Field(description="Statutory time limit in working days")
    promised_limit: int = Field(description="Promised time limit in working days (0 = 即办件)")
    is_instant: bool
    online_depth: int = Field(description="1 window, 2 online pre-review, 3 fully online")
    online_depth_label: str
    visits: int
    county_wide: bool
    cross_region: bool
    version: int
    url: str


class ItemPage(Schema):
    items: list[ItemSummary]
    next_cursor: int | None = Field(None, description="Pass as cursor to get the next page")


class MaterialOut(Schema):
    name: str
    form: str
    count: int
    required: bool
    source: str
    replaceable_by: str = Field(description="'' | 'licence' (e-licence) | 'shared' (shared data)")
    replaced_by: str = Field(
        "", description="The licence type code, or resource.field of shared data, that replaces it"
    )
    notes: str


class StepOut(Schema):
    key: str
    name: str
    kind: str
    role: str
    limit_days: int
    department: str | None = None


class ProcessOut(Schema):
    version: int
    steps: list[StepOut]


class ProcedureStep(Schema):
    name: str
    description: str = ""


class Download(Schema):
    name: str
    url: str


class ItemDetail(ItemSummary):
    competent_department: DepartmentOut
    legal_basis: str
    scope: str
    conditions: str
    procedure: list[ProcedureStep]
    fees: str
    fee_basis: str
    consult_phone: str
    complaint_phone: str
    location: str
    channels: list[str]
    downloads: list[Download]
    form_schema: dict
    published_at: str | None
    materials: list[MaterialOut]
    process: ProcessOut | None


class ItemFilters(Schema):
    q: str = Field("", max_length=100, description="Chinese search text, e.g. 开饭店要办什么证")
    department: str = Field("", description="Department USCC or id")
    limit: int = Field(20, ge=1, description="Page size (capped at 100)")
    cursor: int | None = Field(
        None,
        ge=0,
        description="Last id of the previous page; with q, the number of results already read",
    )


def _summary(item: ServiceItem) -> dict:
    return {
        "id": item.pk,
        "name": item.name,
        "aliases": [a for a in item.aliases.split(",") if a],
        "basic_code": item.basic_code,
        "implementation_code": item.implementation_code,
        "item_type": {"code": item.item_type.code, "name": item.item_type.name},
        "department": {"uscc": item.department.uscc, "name": item.department.name},
        "region": {"code": item.region.code, "name": item.region.name},
        "audience": item.audience,
        "handling_kind": item.handling_kind,
        "statutory_limit": item.statutory_limit,
        "promised_limit": item.promised_limit,
        "is_instant": item.is_instant,
        "online_depth": item.online_depth,
        "online_depth_label": str(OnlineDepth(item.online_depth).label),
        "visits": item.visits,
        "county_wide": item.county_wide,
        "cross_region": item.cross_region,
        "version": item.version,
        "url": reverse("catalog:detail", args=[item.pk]),
    }


def _published():
    return ServiceItem.objects.published().select_related("item_type", "department", "region")


@router.get("/items", response=ItemPage, summary="List published service items")
def list_items(request, filters: Query[ItemFilters]):
    limit = min(filters.limit, MAX_LIMIT)
    qs = _published()
    department = filters.department.strip()
    if department:
        if department.isascii() and department.isdigit() and len(department) < 18:
            qs = qs.filter(department_id=int(department))
        else:
            qs = qs.filter(department__uscc=department.upper())
    query = filters.q.strip()
    if query:
        ids = indexing.search_item_ids(query, limit=SEARCH_LIMIT)
        if ids is not None:
            # Ranked by relevance, best first; the search is capped, so the cursor is an offset.
            found = qs.in_bulk(ids)
            ranked = [found[i] for i in ids if i in found]
            start = filters.cursor or 0
            rows = ranked[start : start + limit]
            more = start + limit < len(ranked)
            return {
                "items": [_summary(i) for i in rows],
                "next_cursor": start + limit if more else None,
            }
        qs = qs.filter(Q(name__icontains=query) | Q(aliases__icontains=query))
    if filters.cursor is not None:
        qs = qs.filter(pk__gt=filters.cursor)
    rows = list(qs.order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [_summary(i) for i in rows],
        "next_cursor": rows[-1].pk if more and rows else None,
    }


@router.get("/items/{item_id}", response=ItemDetail, summary="The full guide of one service item")
def get_item(request, item_id: int):
    item = (
        _published()
        .select_related("competent_department")
        .prefetch_related(
            Prefetch("materials", queryset=Material.objects.order_by("position", "id")),
            Prefetch(
                "processes",
                queryset=ProcessDefinition.objects.filter(active=True).order_by("-version"),
                to_attr="active_processes",
            ),
        )
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise HttpError(
            404,
            gettext("Service item %(id)d does not exist or is not published.") % {"id": item_id},
        )
    process = item.active_processes[0] if item.active_processes else None
    data = _summary(item)
    data.update(
        competent_department={
            "uscc": item.competent_department.uscc,
            "name": item.competent_department.name,
        },
        legal_basis=item.legal_basis,
        scope=item.scope,
        conditions=item.conditions,
        procedure=[s if isinstance(s, dict) else {"name": str(s)} for s in item.procedure or []],
        fees=item.fees,
        fee_basis=item.fee_basis,
        consult_phone=item.consult_phone,
        complaint_phone=item.complaint_phone,
        location=item.location,
        channels=item.channels or [],
        downloads=item.downloads or [],
        form_schema=item.form_schema or {},
        published_at=item.published_at.isoformat() if item.published_at else None,
        materials=[
            {
                "name": m.name,
                "form": m.form,
                "count": m.count,
                "required": m.required,
                "source": m.source,
                "replaceable_by": m.replaceable_by,
                "replaced_by": m.replaced_by,
                "notes": m.notes,
            }
            for m in item.materials.all()
        ],
        process={"version": process.version, "steps": process.steps} if process else None,
    )
    return data
