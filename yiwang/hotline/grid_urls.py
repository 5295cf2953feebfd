"""The grid worker's 12345 pages, mounted under /grid/m/ beside the grid app's phone pages
(``yiwang/urls.py``): the grid's URLconf cannot point at hotline views."""

from django.urls import path

from . import grid_views

app_name = "hotline_grid"
urlpatterns = [
    path("request/", grid_views.request_page, name="request"),
    path("passed-on/", grid_views.passed_on, name="passed_on"),
]
