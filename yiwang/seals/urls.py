from django.urls import path

from . import views

app_name = "seals"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/image.png", views.image, name="image"),
    path("<int:pk>/image/", views.replace_image, name="replace_image"),
    path("<int:pk>/rotate/", views.rotate, name="rotate"),
    path("<int:pk>/deactivate/", views.deactivate, name="deactivate"),
]
