from django.urls import path

from . import views

app_name = "licences"
urlpatterns = [
    path("mine/", views.wallet, name="wallet"),
    path("mine/<str:identifier>/licence.json", views.licence_file_download, name="file"),
]
