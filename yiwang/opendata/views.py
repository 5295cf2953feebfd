"""The open-data portal's public pages (no login): the list with search and filters
(``/open/``), a dataset (``/open/<name>/``) and the API guide (``/open/api/``); the DCAT-AP
documents (``/catalog.ttl``, ``/catalog.jsonld``, ``/dataset/<name>.ttl``, ``.jsonld``)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_safe

from yiwang.search import api as search_api
from yiwang.web.params import parse_int

from . import catalogue, dcat
from .indexing import KIND

PAGE_SIZE = 20
MAX_QUERY = 100


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    get = request.GET
    q = get.get("q", "").strip()[:MAX_QUERY]
    classification = get.get("classification", "")
    if not (classification.isdigit() and len(classification) <= 9):
        classification = ""
    provider = parse_int(get.get("provider", ""), minimum=1, maximum=2**31)
    qs = catalogue.open_resources()
    if provider:
        qs = qs.filter(current_version__provider_id=provider)
    if classification:
        qs = qs.filter(current_version__classification__code__startswith=classification)
    if q:
        found = search_api.find(q, kind=KIND, public_only=True, limit=None)
        rank = {hit.key: i for i, hit in enumerate(found.hits)}
        rows = sorted(qs.filter(code__in=list(rank)), key=lambda r: rank[r.code])
        page = Paginator(rows, PAGE_SIZE).get_page(get.get("page"))
    else:
        page = Paginator(qs.order_by("code"), PAGE_SIZE).get_page(get.get("page"))
    params = get.copy()
    params.pop("page", None)
    return render(
        request,
        "opendata/index.html",
        {
            "page_obj": page,
            "datasets": [catalogue.dataset(r) for r in page.object_list],
            "q": q,
            "provider": provider,
            "classification": classification,
            "providers": catalogue.providers(),
            "classifications": catalogue.classifications(),
            "querystring": params.urlencode(),
            "filtered": bool(q or provider or classification),
        },
    )


@require_safe
def dataset(request: HttpRequest, name: str) -> HttpResponse:
    ds = catalogue.find(name)
    if ds is None:
        raise Http404
    return render(request, "opendata/dataset.html", {"ds": ds, "base": catalogue.public_url()})


@require_safe
def api_doc(request: HttpRequest) -> HttpResponse:
    names = [r.code for r in catalogue.open_resources().order_by("code")[:1]]
    example = catalogue.dataset_name(names[0]) if names else "dataset-301001"
    return render(
        request,
        "opendata/api.html",
        {"base": catalogue.public_url(), "example": example},
    )


def _rdf(text: str, fmt: str) -> HttpResponse:
    response = HttpResponse(text, content_type=f"{dcat.FORMATS[fmt][1]}; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def catalog_rdf(request: HttpRequest, fmt: str) -> HttpResponse:
    return _rdf(dcat.serialize(dcat.catalogue_graph(catalogue.datasets()), fmt), fmt)


@require_safe
def dataset_rdf(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    ds = catalogue.find(name)
    if ds is None:
        raise Http404
    return _rdf(dcat.serialize(dcat.dataset_graph(ds), fmt), fmt)


@require_safe
def dataset_iri(request: HttpRequest, name: str) -> HttpResponse:
    """A dataset's IRI (``/dataset/<name>``) leads to its page."""
    ds = catalogue.find(name)
    if ds is None:
        raise Http404
    return HttpResponseRedirect(ds.page_path, status=303)
