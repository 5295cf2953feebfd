from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("elder-mode", views.toggle_elder_mode, name="elder"),
]
