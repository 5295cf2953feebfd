"""Statistics pages; included by ``hotline/urls.py`` as ``path("stats/", include("yiwang.hotline.stats_urls"))``
so that the names are ``hotline:stats`` and ``hotline:stats_export``."""

from django.urls import path

from . import stats_views

urlpatterns = [
    path("", stats_views.stats, name="stats"),
    path("export.xlsx", stats_views.export, name="stats_export"),
]
