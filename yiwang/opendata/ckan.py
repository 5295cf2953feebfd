"""A CKAN-compatible read API (CKAN 2.10 Action API) over the open catalogue:
``/api/3/action/<action>`` for ``package_list``, ``package_show``, ``package_search``,
``organization_list``, ``organization_show``, ``tag_list`` (and ``status_show``, which
clients such as ckanapi use to probe a site).

As CKAN does: parameters from the query string (GET) or a JSON object body (POST); the
envelope ``{"help", "success", "result"}``; errors ``{"help", "success": false, "error":
{"__type", "message", ...}}`` — 404 ``Not Found Error``, 409 ``Validation Error`` with a
list of messages per field, 400 ``Bad request``; ``Access-Control-Allow-Origin: *``.

No per-row queries: every list is one query for its rows (joins and a subquery), plus one
``COUNT`` for ``package_search``'s ``count`` (CKAN returns it) and one for the download
counts of the packages shown (``tracking_summary``). ``rows`` is capped at ``MAX_ROWS``.

Resources of a package: its data files (CSV, JSON, Excel; unconditionally open datasets
only), then its metadata (this API, DCAT-AP in JSON-LD and Turtle).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from yiwang.datahub.models import Resource
from yiwang.search import api as search_api

from . import catalogue, counting
from .catalogue import Dataset, Organization
from .indexing import KIND

MAX_ROWS = 1000
DEFAULT_ROWS = 10
#: ``sort`` values accepted by ``package_search`` → order_by fields.
SORTS = {
    "score desc": None,
    "name asc": ("code",),
    "name desc": ("-code",),
    "title_string asc": ("current_version__name", "code"),
    "title_string desc": ("-current_version__name", "-code"),
    "metadata_modified desc": ("-current_version__published_at", "code"),
    "metadata_modified asc": ("current_version__published_at", "code"),
    "metadata_created desc": ("-first_published_at", "code"),
    "metadata_created asc": ("first_published_at", "code"),
}
#: ``fq`` fields accepted by ``package_search``.
FQ_FIELDS = ("organization", "tags", "name", "license_id")

MISSING = "Missing value"
INVALID_INT = "Invalid integer"


class ActionError(Exception):
    def __init__(self, status: int, type_: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.type, self.message, self.fields = status, type_, message, fields or {}


def not_found(message: str = "Not found") -> ActionError:
    return ActionError(404, "Not Found Error", message)


def invalid(**fields: str) -> ActionError:
    return ActionError(409, "Validation Error", "", {k: [v] for k, v in fields.items()})


# --- dicts as CKAN 2.10 makes them -------------------------------------------------------


def _iso(value) -> str:
    """CKAN's timestamps: naive ISO 8601 in UTC, microseconds."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def organization_dict(org: Organization, package_count: int | None = None) -> dict:
    data: dict[str, Any] = {
        "id": org.id,
        "name": org.name,
        "title": org.title,
        "display_name": org.title,
        "description": "",
        "image_url": "",
        "image_display_url": "",
        "created": None,
        "is_organization": True,
        "type": "organization",
        "state": "active",
        "approval_status": "approved",
    }
    if package_count is not None:
        data["package_count"] = package_count
    return data


def _tracking(counts: dict[str, int] | None) -> dict[str, int]:
    return {"total": (counts or {}).get("total", 0), "recent": (counts or {}).get("recent", 0)}


def package_dict(ds: Dataset, tracking: dict[str, dict[str, int]] | None = None) -> dict:
    """CKAN's package dict of ``ds``; ``tracking``: its download counts per format
    (``counting.tracking``), shown as ``tracking_summary`` as CKAN's tracking shows views."""
    licence_id, licence_title, licence_url = ds.licence
    created, modified = _iso(ds.first_published_at), _iso(ds.published_at)
    tracking = tracking or {}
    resources = [
        {
            "id": ds.resource_id(d.key),
            "package_id": ds.id,
            "name": d.title,
            "description": d.description,
            "format": d.format,
            "mimetype": d.media_type,
            "url": d.url,
            "url_type": None,
            "resource_type": "file" if d.download else ("api" if d.key == "api" else "metadata"),
            "state": "active",
            "position": position,
            "created": modified,
            "last_modified": modified,
            "metadata_modified": modified,
            "size": None,
            "hash": "",
            "cache_url": None,
            "datastore_active": False,
            "tracking_summary": _tracking(tracking.get(d.key) if d.download else None),
        }
        for position, d in enumerate(ds.distributions)
    ]
    tags = [
        {"id": None, "name": t, "display_name": t, "state": "active", "vocabulary_id": None}
        for t in ds.tags
    ]
    extras = {
        "资源代码": ds.code,
        "资源分类": f"{ds.classification_code} {ds.classification_name}",
        "资源提供方": ds.organization.title,
        "资源格式": ds.format_label,
        "更新周期": ds.cycle_label,
        "开放类型": ds.open_label,
        "发布日期": ds.release_date.isoformat() if ds.release_date else "",
        "版本": str(ds.version),
        "信息项": "、".join(i.name for i in ds.items),
    }
    return {
        "id": ds.id,
        "name": ds.name,
        "title": ds.title,
        "notes": ds.notes,
        "url": catalogue.public_url() + ds.page_path,
        "version": str(ds.version),
        "type": "dataset",
        "state": "active",
        "private": False,
        "isopen": ds.open_type == "open",
        "license_id": licence_id,
        "license_title": licence_title,
        "license_url": licence_url,
        "author": ds.organization.title,
        "author_email": None,
        "maintainer": ds.organization.title,
        "maintainer_email": None,
        "creator_user_id": None,
        "metadata_created": created,
        "metadata_modified": modified,
        "owner_org": ds.organization.id,
        "organization": organization_dict(ds.organization),
        "groups": [],
        "relationships_as_object": [],
        "relationships_as_subject": [],
        "tags": tags,
        "num_tags": len(tags),
        "resources": resources,
        "num_resources": len(resources),
        "tracking_summary": counting.summary(tracking),
        "extras": [{"key": k, "value": v} for k, v in extras.items() if v],
    }


# --- parameters --------------------------------------------------------------------------


def _int(params: dict, name: str, default: int, minimum: int = 0) -> int:
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise invalid(**{name: INVALID_INT}) from None
    if number < minimum:
        raise invalid(**{name: f"Must be a natural number greater than or equal to {minimum}"})
    return number


def _bool(params: dict, name: str, default: bool = False) -> bool:
    value = params.get(name)
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes", "on")


def _required(params: dict, name: str) -> str:
    value = params.get(name)
    if value in (None, ""):
        raise invalid(**{name: MISSING})
    return str(value)


# --- actions -----------------------------------------------------------------------------


def status_show(params: dict) -> dict:
    return {
        "site_title": catalogue.CATALOGUE_TITLE,
        "site_description": catalogue.CATALOGUE_DESCRIPTION,
        "site_url": catalogue.public_url(),
        "ckan_version": "2.10.0",
        "error_emails_to": None,
        "locale_default": "zh_Hans_CN",
        "extensions": [],
    }


def package_list(params: dict) -> list[str]:
    limit = _int(params, "limit", MAX_ROWS, 0)
    offset = _int(params, "offset", 0, 0)
    codes = (
        catalogue.open_resources()
        .order_by("code")
        .values_list("code", flat=True)[offset : offset + min(limit, MAX_ROWS)]
    )
    return [catalogue.dataset_name(c) for c in codes]


def package_show(params: dict) -> dict:
    ident = _required(params, "id")
    qs = catalogue.open_resources()
    code = catalogue.code_of(ident)
    resource = qs.filter(code=code).first() if code else None
    if resource is None:
        # a CKAN id (uuid5 of the code): one query over the codes, not per row
        codes = qs.order_by().values_list("code", flat=True)
        match = next((c for c in codes if catalogue.dataset_id(c) == ident), None)
        resource = qs.filter(code=match).first() if match else None
    if resource is None:
        raise not_found()
    return package_dict(
        catalogue.dataset(resource), counting.tracking([resource.pk]).get(resource.pk)
    )


def _packages(rows: list[Resource]) -> list[dict]:
    """Package dicts of ``rows`` with their download counts (one query for all)."""
    counts = counting.tracking(r.pk for r in rows)
    return [package_dict(catalogue.dataset(r), counts.get(r.pk)) for r in rows]


def _fq(fq: str) -> Q:
    """CKAN/Solr ``field:value`` terms, all of which must hold (quotes allowed)."""
    q = Q()
    for term in _terms(fq):
        field, sep, value = term.partition(":")
        field = field.lstrip("+")
        value = value.strip().strip('"')
        if not sep or field not in FQ_FIELDS or not value:
            raise invalid(fq=f"Unsupported filter: {term!r} (use {', '.join(FQ_FIELDS)})")
        if field == "organization":
            org = catalogue.find_organization(value)
            q &= Q(current_version__provider_id=org.pk) if org else Q(pk__in=[])
        elif field == "tags":
            q &= catalogue.tag_filter(value)
        elif field == "name":
            code = catalogue.code_of(value)
            q &= Q(code=code) if code else Q(pk__in=[])
        elif field == "license_id":
            types = [t for t, lic in catalogue.LICENCES.items() if lic[0] == value]
            q &= Q(current_version__open_type__in=types)
    return q


def _terms(fq: str) -> list[str]:
    terms, current, quoted = [], "", False
    for ch in fq.strip():
        if ch == '"':
            quoted = not quoted
        if ch.isspace() and not quoted:
            if current:
                terms.append(current)
            current = ""
        else:
            current += ch
    if current:
        terms.append(current)
    return [t for t in terms if t.upper() not in ("AND", "+")]


def package_search(params: dict) -> dict:
    rows = min(_int(params, "rows", DEFAULT_ROWS, 0), MAX_ROWS)
    start = _int(params, "start", 0, 0)
    q = str(params.get("q") or "").strip()
    if q in ("*:*", "*"):
        q = ""
    sort = " ".join(str(params.get("sort") or "").split()).lower()
    if sort and sort not in SORTS:
        raise invalid(sort=f"Unsupported sort: {sort!r} (use {', '.join(SORTS)})")
    qs: QuerySet[Resource] = catalogue.open_resources().filter(_fq(str(params.get("fq") or "")))
    if q:
        found = search_api.find(q, kind=KIND, public_only=True, limit=None)
        ranked = [hit.key for hit in found.hits]
        present = set(qs.filter(code__in=ranked).values_list("code", flat=True))
        codes = [c for c in ranked if c in present]
        order = SORTS.get(sort)
        if order:
            page_codes = list(
                qs.filter(code__in=codes)
                .order_by(*order)
                .values_list("code", flat=True)[start : start + rows]
            )
        else:
            page_codes = codes[start : start + rows]
        count = len(codes)
        found_rows = {r.code: r for r in qs.filter(code__in=page_codes)} if rows else {}
        page = [found_rows[c] for c in page_codes if c in found_rows]
    else:
        order = SORTS.get(sort) or ("code",)
        count = qs.count()
        page = list(qs.order_by(*order)[start : start + rows]) if rows else []
    results = _packages(page)
    facets: dict[str, Any] = {}
    search_facets: dict[str, Any] = {}
    return {
        "count": count,
        "sort": sort or ("score desc, metadata_modified desc" if q else "name asc"),
        "facets": facets,
        "search_facets": search_facets,
        "results": results,
    }


def _package_counts() -> dict[int, int]:
    counts: dict[int, int] = {}
    for provider_id in (
        catalogue.open_resources().order_by().values_list("current_version__provider_id", flat=True)
    ):
        counts[provider_id] = counts.get(provider_id, 0) + 1
    return counts


def organization_list(params: dict) -> list:
    departments = catalogue.providers()
    orgs = sorted((catalogue.organization(d) for d in departments), key=lambda o: o.name)
    if not _bool(params, "all_fields"):
        return [o.name for o in orgs]
    counts = _package_counts()
    return [organization_dict(o, counts.get(o.pk, 0)) for o in orgs]


def organization_show(params: dict) -> dict:
    ident = _required(params, "id")
    department = catalogue.find_organization(ident)
    if department is None:
        raise not_found()
    org = catalogue.organization(department)
    qs = catalogue.open_resources().filter(current_version__provider_id=department.pk)
    data = organization_dict(org, qs.count())
    if _bool(params, "include_datasets"):
        data["packages"] = _packages(list(qs.order_by("code")[:MAX_ROWS]))
    data["users"] = []
    data["extras"] = [{"key": "统一社会信用代码", "value": org.uscc}] if org.uscc else []
    return data


def tag_list(params: dict) -> list:
    query = str(params.get("query") or "").strip()
    names = [t for t in catalogue.tags() if not query or query in t]
    if _bool(params, "all_fields"):
        return [{"id": None, "name": t, "display_name": t, "vocabulary_id": None} for t in names]
    return names


ACTIONS: dict[str, Callable[[dict], Any]] = {
    "status_show": status_show,
    "package_list": package_list,
    "package_show": package_show,
    "package_search": package_search,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "tag_list": tag_list,
}


# --- the view ----------------------------------------------------------------------------


def help_url(name: str) -> str:
    return f"{catalogue.public_url()}{reverse('opendata:api_doc')}#{name}"


def _params(request: HttpRequest) -> dict:
    if request.method == "POST":
        if not request.body:
            return dict(request.POST.items())
        try:
            body = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise ActionError(
                400, "Bad request", "Bad request - JSON Error: invalid JSON body"
            ) from None
        if not isinstance(body, dict):
            raise ActionError(400, "Bad request", "Bad request - JSON Error: not a JSON object")
        return body
    return dict(request.GET.items())


def _answer(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-cache"
    return response


@csrf_exempt  # read-only and anonymous, as CKAN's: clients POST JSON without a session
def action(request: HttpRequest, name: str) -> JsonResponse:
    fn = ACTIONS.get(name)
    url = help_url(name)
    if request.method not in ("GET", "POST", "HEAD"):
        return _error(url, ActionError(400, "Bad request", "Bad request - method not allowed"))
    if fn is None:
        return _error(
            url, ActionError(400, "Bad request", f"Bad request - Action name not known: {name}")
        )
    try:
        result = fn(_params(request))
    except ActionError as error:
        return _error(url, error)
    return _answer({"help": url, "success": True, "result": result})


def _error(url: str, error: ActionError) -> JsonResponse:
    body: dict[str, Any] = {"__type": error.type}
    if error.fields:
        body.update(error.fields)
    else:
        body["message"] = error.message
    return _answer({"help": url, "success": False, "error": body}, status=error.status)
