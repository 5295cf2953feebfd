from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/form.pdf", views.form_pdf, name="form_pdf"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.manage_edit, name="manage_create"),
    path("manage/<int:pk>/", views.manage_edit, name="manage_edit"),
    path("manage/<int:pk>/publish/", views.manage_publish, name="manage_publish"),
    path("manage/<int:pk>/withdraw/", views.manage_withdraw, name="manage_withdraw"),
    path("manage/export.xlsx", views.manage_export, name="manage_export"),
    path("manage/import/", views.manage_import, name="manage_import"),
]
