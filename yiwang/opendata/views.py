"""The open-data portal's public pages (no login): the list with search and filters
(``/open/``), a dataset with its preview, chart and downloads (``/open/<name>/``), its files
(``/open/<name>/data.csv``, ``.json``, ``.xlsx``) and the API guide (``/open/api/``); the
DCAT-AP documents (``/catalog.ttl``, ``/catalog.jsonld``, ``/dataset/<name>.ttl``,
``.jsonld``)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.views.decorators.http import require_safe

from yiwang.datahub.choices import OpenType
from yiwang.search import api as search_api
from yiwang.web.params import parse_int

from . import catalogue, charts, counting, data, dcat, downloads
from .indexing import KIND
from .models import DownloadFormat

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
    datasets = [catalogue.dataset(r) for r in page.object_list]
    counts = counting.totals(ds.resource_pk for ds in datasets)
    return render(
        request,
        "opendata/index.html",
        {
            "page_obj": page,
            "datasets": [(ds, counts.get(ds.resource_pk, 0)) for ds in datasets],
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
    resource = catalogue.find_resource(name)
    if resource is None:
        raise Http404
    ds = catalogue.dataset(resource)
    context: dict = {"ds": ds, "base": catalogue.public_url()}
    table = data.table(resource, ds)
    if table is not None:
        rows = data.preview(table)
        chart = charts.build(table, rows)
        by_format = counting.tracking([ds.resource_pk]).get(ds.resource_pk, {})
        context.update(
            table=table,
            preview=[[data.text(v) for v in row] for row in rows],
            chart=chart,
            chart_json=chart.as_json() if chart else None,
            files=[
                (d, by_format.get(d.key, {}).get("total", 0))
                for d in ds.distributions
                if d.download
            ],
            downloads=counting.summary(by_format)["total"],
            xlsx_note=(
                downloads.truncation_note(table.row_count)
                if table.row_count > downloads.XLSX_MAX_ROWS
                else ""
            ),
        )
    return render(request, "opendata/dataset.html", context)


@require_safe
def download(request: HttpRequest, name: str, fmt: str) -> StreamingHttpResponse:
    """A dataset's rows as a file; 404 unless it is unconditionally open. Counted (per
    dataset, format and day only) when the file is actually asked for (GET, not HEAD)."""
    resource = catalogue.find_resource(name)
    if resource is None:
        raise Http404
    ds = catalogue.dataset(resource)
    table = data.table(resource, ds)
    if table is None:
        raise Http404
    if request.method == "GET":
        counting.count_download(resource.pk, DownloadFormat(fmt))
    return downloads.response(ds, table, fmt)


@require_safe
def api_doc(request: HttpRequest) -> HttpResponse:
    # An unconditionally open dataset, so the download examples work too.
    qs = catalogue.open_resources().order_by("code")
    names = [r.code for r in qs.filter(current_version__open_type=OpenType.OPEN)[:1]]
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
