"""The project's URLs plus the benchmark's baseline views (``bench/baseline/...``).

While the catalogue app has no ``index`` page yet, every page extending ``web/base.html``
fails to render (it links to ``catalog:index``). Until then a stand-in ``catalog:index``
is added here, next to the catalogue's own patterns, and ``SHIMS`` says so.
"""

from django.http import HttpResponse
from django.urls import include, path

from yiwang.catalog import urls as catalog_urls

from . import baseline, datahub_baseline, hotline_baseline

SHIMS: list[str] = []


def _stub(request, *args, **kwargs):
    return HttpResponse("catalogue index stand-in (bench)", content_type="text/plain")


urlpatterns = [
    path("bench/baseline/submit/<int:item_pk>/", baseline.submit, name="bench_baseline_submit"),
    path(
        "bench/baseline/submit-sql/<int:item_pk>/",
        baseline.submit_sql,
        name="bench_baseline_submit_sql",
    ),
    path("bench/baseline/inbox/", baseline.inbox, name="bench_baseline_inbox"),
    # bench/datahub.py
    path(
        "bench/datahub/lookup/<str:code>/<str:key>/",
        datahub_baseline.lookup,
        name="bench_datahub_lookup",
    ),
    # bench/hotline.py
    path(
        "bench/hotline/intake-form/<int:inserts>/<int:updates>/",
        hotline_baseline.intake_form,
        name="bench_hotline_intake_form",
    ),
    path(
        "bench/hotline/intake-open311/<int:inserts>/<int:updates>/",
        hotline_baseline.intake_open311,
        name="bench_hotline_intake_open311",
    ),
    path("bench/hotline/dispatch/", hotline_baseline.dispatch, name="bench_hotline_dispatch"),
]
if not any(getattr(p, "name", None) == "index" for p in catalog_urls.urlpatterns):
    SHIMS.append("catalog:index")
    urlpatterns.append(
        path(
            "services/",
            include(([*catalog_urls.urlpatterns, path("", _stub, name="index")], "catalog")),
        )
    )
urlpatterns.append(path("", include("yiwang.urls")))
