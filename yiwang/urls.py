from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from .api import api

urlpatterns = [
    path("", include("yiwang.web.urls")),
    path("accounts/", include("yiwang.accounts.urls")),
    path("services/", include("yiwang.catalog.urls")),
    path("cases/", include("yiwang.cases.urls")),
    path("notices/", include("yiwang.notify.urls")),
    path("workdays/", include("yiwang.workdays.urls")),
    path("audit/", include("yiwang.audit.urls")),
    path("faq/", include("yiwang.knowledge.urls")),
    path("hotline/", include("yiwang.hotline.urls")),
    path("grid/", include("yiwang.grid.urls")),
    path("open311/", include("yiwang.hotline.open311.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
