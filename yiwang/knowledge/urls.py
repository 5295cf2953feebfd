from django.urls import path

from . import views

app_name = "knowledge"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("glossary/", views.glossary, name="glossary"),
    path("suggest/", views.suggest, name="suggest"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.manage_edit, name="manage_create"),
    path("manage/<int:pk>/", views.manage_edit, name="manage_edit"),
    path("manage/<int:pk>/publish/", views.manage_publish, name="manage_publish"),
    path("manage/<int:pk>/unpublish/", views.manage_unpublish, name="manage_unpublish"),
    path("manage/glossary/", views.manage_glossary, name="manage_glossary"),
    path("manage/glossary/<int:pk>/", views.manage_glossary_edit, name="manage_glossary_edit"),
    path(
        "manage/glossary/<int:pk>/delete/",
        views.manage_glossary_delete,
        name="manage_glossary_delete",
    ),
    path("manage/categories/", views.manage_categories, name="manage_categories"),
    path("manage/categories/<int:pk>/", views.manage_category_edit, name="manage_category_edit"),
    path(
        "manage/categories/<int:pk>/delete/",
        views.manage_category_delete,
        name="manage_category_delete",
    ),
]
