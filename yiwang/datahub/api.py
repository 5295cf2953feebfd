"""Catalogue API (read-only in this slice): /api/v1/data/resources and /resources/{code}.

Scoped like the pages (``queries.catalogue_for``): staff see the published catalogue and
their own departments' working copies, the authority everything, others nothing. Each
resource is described by the face its caller sees: the latest published version, or the
working copy for its provider's staff and the authority. Keyset pagination on the code
(``cursor`` = the last code of the previous page, ``limit`` ≤ 100), a fixed number of
queries per page.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import Field

from . import queries
from .choices import SharingType

router = Router(auth=django_auth, tags=["data"])
MAX_LIMIT = 100


class DataResourceSummary(Schema):
    code: str
    name: str
    provider: str
    sharing_type: str
    update_cycle: str
    version: int = Field(description="The last published version (0: never published)")
    status: str = Field(description="published for readers of the catalogue")
    url: str


class DataResourcePage(Schema):
    items: list[DataResourceSummary]
    next_cursor: str | None


class DataResourceFilters(Schema):
    q: str = Field("", max_length=100, description="Words of a resource or item name, e.g. 身份证")
    provider: int | None = Field(None, ge=1, description="Providing department id")
    sharing_type: str = Field("", description="unconditional, conditional or none")
    cursor: str = Field("", max_length=12, description="next_cursor of the previous page")
    limit: int = Field(20, ge=1, description="Rows per page (capped at 100)")


class DataItemOut(Schema):
    order: int
    name: str
    column: str
    data_type: str
    max_length: int | None
    grade: str
    mask: str
    sharing_type: str
    personal: bool
    description: str


class DataNamedCode(Schema):
    code: str
    name: str


class DataProviderOut(Schema):
    id: int
    name: str
    uscc: str


class DataResourceDetail(Schema):
    code: str
    version: int
    status: str
    name: str
    kind: DataNamedCode | None
    classification: DataNamedCode
    provider: DataProviderOut
    summary: str
    format: str
    sharing_type: str
    sharing_conditions: str
    sharing_method: str
    legal_basis: str
    open_type: str
    update_cycle: str
    release_date: datetime.date | None
    related: list[str]
    key_item: str | None
    items: list[DataItemOut]


def _summary(row: queries.Row) -> dict:
    return {
        "code": row.code,
        "name": row.name,
        "provider": row.provider,
        "sharing_type": row.sharing_type,
        "update_cycle": row.update_cycle,
        "version": row.version,
        "status": row.status,
        "url": f"/data/r/{row.code}/",
    }


@router.get("/resources", response=DataResourcePage, summary="The data resource catalogue")
def list_resources(request, filters: Query[DataResourceFilters]):
    if filters.sharing_type and filters.sharing_type not in SharingType.values:
        raise HttpError(
            400, gettext("Unknown sharing type %(value)s.") % {"value": filters.sharing_type[:20]}
        )
    user = request.auth
    qs = queries.filtered(
        user,
        queries.catalogue_for(user),
        queries.Filters(provider=filters.provider, sharing_type=filters.sharing_type),
    )
    q = filters.q.strip()
    if q:
        qs = qs.filter(code__in=[r.code for r in queries.search(user, q, qs)])
    if filters.cursor:
        qs = qs.filter(code__gt=filters.cursor)
    limit = max(1, min(filters.limit, MAX_LIMIT))
    rows = list(qs.order_by("code")[: limit + 1])
    page = rows[:limit]
    return {
        "items": [_summary(queries.row(user, r)) for r in page],
        "next_cursor": page[-1].code if len(rows) > limit else None,
    }


@router.get("/resources/{code}", response=DataResourceDetail, summary="One data resource")
def get_resource(request, code: str):
    user = request.auth
    found = queries.find_resource(user, code[:12])
    if found is None:
        raise HttpError(
            404, gettext("No resource %(code)s in the catalogue.") % {"code": code[:20]}
        )
    data = queries.face(user, found)
    return {**data, "status": queries.row(user, found).status}
