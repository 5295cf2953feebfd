from django.urls import path

from . import views

app_name = "quality"
urlpatterns = [
    path("", views.index, name="index"),
    path("r/<str:code>/", views.resource, name="resource"),
    path("r/<str:code>/rules/", views.add_rule, name="add_rule"),
    path("r/<str:code>/suggestions/", views.accept_suggestions, name="accept_suggestions"),
    path("r/<str:code>/run/", views.run_now, name="run_now"),
    path("r/<str:code>/detect/", views.detect, name="detect"),
    path("rules/<int:pk>/", views.edit_rule, name="edit_rule"),
    path("rules/<int:pk>/delete/", views.delete_rule, name="delete_rule"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/export/", views.export_run, name="export_run"),
]
