from django.urls import path

from . import editor_views, views

app_name = "datahub"
urlpatterns = [
    path("", views.index, name="index"),
    path("r/<str:code>/", views.resource, name="resource"),
    path("r/<str:code>/edit/", editor_views.edit, name="edit"),
    path("r/<str:code>/submit/", views.submit, name="submit"),
    path("r/<str:code>/publish/", views.publish, name="publish"),
    path("r/<str:code>/return/", views.return_resource, name="return"),
    path("r/<str:code>/withdraw/", views.withdraw, name="withdraw"),
    path("r/<str:code>/revise/", views.revise, name="revise"),
    path("manage/", editor_views.manage, name="manage"),
    path("manage/new/", editor_views.edit, name="create"),
    path("suggest/", editor_views.suggest, name="suggest"),
    path("review/", views.review, name="review"),
    path("grades/", views.grades, name="grades"),
]
