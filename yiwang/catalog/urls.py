from django.urls import path

from . import browse, lexicon_views, manage_views, search_report, views

app_name = "catalog"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/form.pdf", views.form_pdf, name="form_pdf"),
    path("<int:pk>/open/", search_report.open_result, name="open"),
    path("themes/", browse.themes, name="themes"),
    path("themes/<slug:code>/", browse.theme, name="theme"),
    path("manage/themes/", browse.manage_themes, name="manage_themes"),
    path("manage/themes/new/", browse.manage_theme_edit, name="manage_theme_create"),
    path("manage/themes/<int:pk>/", browse.manage_theme_edit, name="manage_theme_edit"),
    path("manage/themes/place/", browse.manage_themes_place, name="manage_themes_place"),
    path("manage/", manage_views.manage, name="manage"),
    path("manage/bulk/", manage_views.manage_bulk, name="manage_bulk"),
    path("manage/new/", views.manage_edit, name="manage_create"),
    path("manage/<int:pk>/", views.manage_edit, name="manage_edit"),
    path("manage/<int:pk>/publish/", views.manage_publish, name="manage_publish"),
    path("manage/<int:pk>/withdraw/", views.manage_withdraw, name="manage_withdraw"),
    path("manage/export.xlsx", manage_views.manage_export, name="manage_export"),
    path("manage/import/", manage_views.manage_import, name="manage_import"),
    path("manage/import/<int:pk>/", manage_views.manage_import_job, name="manage_import_job"),
    path("manage/search-report/", search_report.search_report, name="search_report"),
    path(
        "manage/search-report/export.xlsx",
        search_report.search_report_export,
        name="search_report_export",
    ),
    path(
        "manage/search-report/alias/",
        search_report.search_report_alias,
        name="search_report_alias",
    ),
    path("manage/lexicon/", lexicon_views.lexicon, name="lexicon"),
    path("manage/lexicon/new/", lexicon_views.lexicon_add, name="lexicon_add"),
    path("manage/lexicon/<int:pk>/", lexicon_views.lexicon_edit, name="lexicon_edit"),
    path("manage/lexicon/<int:pk>/switch/", lexicon_views.lexicon_toggle, name="lexicon_toggle"),
    path("manage/lexicon/<int:pk>/delete/", lexicon_views.lexicon_delete, name="lexicon_delete"),
]
