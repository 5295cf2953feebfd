"""Back office for the grid registry, under /grid/manage/ (names in the ``grid`` namespace)."""

from django.urls import path

from . import manage_codes
from . import manage_views as views

urlpatterns = [
    path("", views.grid_list, name="manage_grids"),
    path("grids/new/", views.grid_create, name="manage_grid_create"),
    path("grids/<int:pk>/", views.grid_edit, name="manage_grid_edit"),
    path("grids/<int:pk>/assign/", views.grid_assign, name="manage_grid_assign"),
    path("grids/<int:pk>/unassign/", views.grid_unassign, name="manage_grid_unassign"),
    path("components/", views.component_list, name="manage_components"),
    path("components/new/", views.component_create, name="manage_component_create"),
    path("components/<int:pk>/", views.component_edit, name="manage_component_edit"),
    path("places/", views.place_list, name="manage_places"),
    path("places/new/", views.place_form, name="manage_place_create"),
    path("places/<int:pk>/", views.place_form, name="manage_place_edit"),
    path("devices/", views.device_list, name="manage_devices"),
    path("devices/new/", views.device_form, name="manage_device_create"),
    path("devices/<int:pk>/", views.device_form, name="manage_device_edit"),
    path("alerts/rejected/", views.rejected_alerts, name="manage_rejected_alerts"),
    path("classes/", manage_codes.class_list, name="manage_classes"),
    path("classes/new/", manage_codes.subclass_create, name="manage_subclass_create"),
    path("classes/<int:pk>/", manage_codes.subclass_edit, name="manage_subclass_edit"),
]
