from django.urls import include, path

from . import views

app_name = "grid"
urlpatterns = [
    path("map/", views.map_view, name="map"),
    path("map/data.geojson", views.map_data, name="map_data"),
    path("events/", views.events, name="events"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/<slug:action>/", views.event_act, name="event_act"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("m/", views.m_home, name="m_home"),
    path("m/report/", views.m_report, name="m_report"),
    path("m/<int:pk>/verify/", views.m_verify, name="m_verify"),
    path("sensors/webhook/", views.sensor_webhook, name="sensor_webhook"),
    path("manage/", include("yiwang.grid.manage_urls")),
]
