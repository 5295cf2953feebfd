from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("grants/<int:pk>/", views.grant, name="grant"),
    path("grants/<int:pk>/issue/", views.issue, name="issue"),
    path("grants/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("reads/", views.reads, name="reads"),
]
