from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("subjects/", views.subjects, name="subjects"),
    path("list/", views.disclosure_list, name="list"),
    path("mine/", views.mine, name="mine"),
]
