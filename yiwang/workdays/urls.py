from django.urls import path

from . import views

app_name = "workdays"
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("overrides/<int:pk>/delete/", views.override_delete, name="override_delete"),
    path("calculator/", views.calculator_page, name="calculator"),
]
