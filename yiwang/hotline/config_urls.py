"""Back office for categories, the dispatch catalogue and time limits; included by
``hotline/urls.py`` as ``path("config/", include("yiwang.hotline.config_urls"))`` so the
names live in the ``hotline`` namespace (``hotline:config``, ``hotline:config_rule``, ...)."""

from django.urls import path

from . import config_views

urlpatterns = [
    path("", config_views.index, name="config"),
    path("categories/new/", config_views.category_new, name="config_category_new"),
    path("categories/<int:pk>/", config_views.category_edit, name="config_category"),
    path(
        "categories/<int:pk>/delete/",
        config_views.category_delete,
        name="config_category_delete",
    ),
    path("rules/new/", config_views.rule_edit, name="config_rule_new"),
    path("rules/<int:pk>/", config_views.rule_edit, name="config_rule"),
    path("rules/<int:pk>/delete/", config_views.rule_delete, name="config_rule_delete"),
    path("time-limits/", config_views.time_limits, name="config_time_limits"),
]
