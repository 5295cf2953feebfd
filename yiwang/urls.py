from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.static import serve

from .api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("yiwang.site.urls")),
    path("", include("yiwang.web.urls")),
    path("accounts/", include("yiwang.accounts.urls")),
    path("services/", include("yiwang.catalog.urls")),
    path("cases/", include("yiwang.cases.urls")),
    path("notices/", include("yiwang.notify.urls")),
    path("privacy/", include("yiwang.privacy.urls")),
    path("workdays/", include("yiwang.workdays.urls")),
    path("audit/", include("yiwang.audit.urls")),
    path("faq/", include("yiwang.knowledge.urls")),
    path("hotline/", include("yiwang.hotline.urls")),
    # The grid worker's 12345 pages (/grid/m/request/, …) are the hotline's.
    path("grid/m/", include("yiwang.hotline.grid_urls")),
    path("grid/", include("yiwang.grid.urls")),
    path("open311/", include("yiwang.hotline.open311.urls")),
    path("data/exchange/", include("yiwang.exchange.urls")),
    path("data/quality/", include("yiwang.quality.urls")),
    path("data/", include("yiwang.datahub.urls")),
    path("seals/", include("yiwang.seals.urls")),
    path("verify/", include("yiwang.licences.verify_urls")),
    path("licences/", include("yiwang.licences.urls")),
    # The open-data portal: /open/, the CKAN API /api/3/action/, DCAT-AP /catalog.ttl, /dataset/…
    path("", include("yiwang.opendata.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("captcha/", include("captcha.urls")),  # CAPTCHA pictures, drawn on this server
]

# Error pages; under /api/v1/ and /open311/ they answer in those interfaces' formats.
handler400 = "yiwang.web.errors.bad_request"
handler403 = "yiwang.web.errors.permission_denied"
handler404 = "yiwang.web.errors.page_not_found"
handler500 = "yiwang.web.errors.server_error"

if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
